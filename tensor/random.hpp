#pragma once
// Random numbers from an explicit, seeded generator.
//
// There is no hidden global generator: every random function takes a Generator, so a
// program that seeds its generators gets the same numbers on every run and every machine
// (the bits come from xoshiro256++, the floats from fixed formulas, not from <random>'s
// implementation-defined distributions). A Generator's state can be saved and restored,
// which lets a computation replay the same draws (gradient checks, resumed training).
//
//   Generator gen(42);
//   Tensor w = randn({784, 32}, gen);           // N(0, 1), float32
//   Tensor mask = bernoulli({128, 784}, 0.7, gen);
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "tensor/tensor.hpp"

namespace xtgrad {

class Generator {
 public:
  using State = std::array<std::uint64_t, 4>;

  // The 256-bit state is filled from the seed by SplitMix64, so nearby seeds give
  // unrelated streams.
  explicit Generator(std::uint64_t seed = 0);

  // The next 64 random bits (xoshiro256++, Blackman & Vigna, https://prng.di.unimi.it/).
  std::uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double next_double();
  // Uniform in [0, 1) with 24 random bits.
  float next_float();
  // Standard normal by the Box-Muller transform (uses two uniforms per value).
  double next_normal();
  // Uniform integer in [0, n) without modulo bias (Lemire's method).
  std::uint64_t next_below(std::uint64_t n);

  State state() const { return state_; }
  void set_state(const State& state) { state_ = state; }

 private:
  State state_;
};

// The states of some generators, taken now and put back by restore(), to replay the same
// draws or to run something without disturbing them:
//
//   const GeneratorSnapshot snapshot(model.generators());
//   model(x);              // dropout draws masks
//   snapshot.restore();    // as if it had not
class GeneratorSnapshot {
 public:
  explicit GeneratorSnapshot(std::vector<Generator*> generators)
      : generators_(std::move(generators)) {
    for (const Generator* g : generators_) states_.push_back(g->state());
  }
  void restore() const {
    for (std::size_t i = 0; i < generators_.size(); ++i) generators_[i]->set_state(states_[i]);
  }

 private:
  std::vector<Generator*> generators_;
  std::vector<Generator::State> states_;
};

// Uniform in [0, 1).
Tensor rand(const Shape& shape, Generator& gen, DType dtype = DType::float32);
// Uniform in [low, high).
Tensor uniform(const Shape& shape, double low, double high, Generator& gen,
               DType dtype = DType::float32);
// Standard normal N(0, 1).
Tensor randn(const Shape& shape, Generator& gen, DType dtype = DType::float32);
// Normal N(mean, std^2).
Tensor normal(const Shape& shape, double mean, double std, Generator& gen,
              DType dtype = DType::float32);
// 1 with probability p, else 0 (in the given floating dtype).
Tensor bernoulli(const Shape& shape, double p, Generator& gen, DType dtype = DType::float32);
// Elementwise: 1 with probability probs[i], else 0; same shape and dtype as probs.
Tensor bernoulli(const Tensor& probs, Generator& gen);
// A random permutation of 0 .. n-1 (Fisher-Yates): the order of one shuffled epoch.
std::vector<std::int64_t> randperm(std::int64_t n, Generator& gen);

}  // namespace xtgrad
