// Seeded random numbers: xoshiro256++ bits, fixed conversions to floats.
// No <random> distributions: their output differs between standard libraries.
#include "tensor/random.hpp"

#include <cmath>
#include <string>

namespace xtgrad {

namespace {

// SplitMix64 (Steele, Lea & Flood 2014): spreads a 64-bit seed over the generator state.
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void check_random_dtype(const char* op, DType dtype) {
  if (!is_floating(dtype)) {
    throw DTypeError(std::string(op) + ": expected float32 or float64, got " + dtype_name(dtype));
  }
}

// Fills a new tensor element by element with draw(gen), converted to dtype.
template <class Draw>
Tensor fill_random(const char* op, const Shape& shape, DType dtype, Draw draw) {
  check_shape(op, shape);
  check_random_dtype(op, dtype);
  Tensor t = Tensor::empty(shape, dtype);
  const std::int64_t n = t.numel();
  if (dtype == DType::float32) {
    float* p = t.data<float>();
    for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(draw());
  } else {
    double* p = t.data<double>();
    for (std::int64_t i = 0; i < n; ++i) p[i] = draw();
  }
  return t;
}

}  // namespace

Generator::Generator(std::uint64_t seed) {
  for (auto& word : state_) word = splitmix64(seed);
}

std::uint64_t Generator::next_u64() {
  // xoshiro256++ 1.0, https://prng.di.unimi.it/xoshiro256plusplus.c
  const std::uint64_t result = rotl(state_[0] + state_[3], 23) + state_[0];
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

// The top 53 (24) bits, scaled by 2^-53 (2^-24): every value is a multiple of the spacing.
double Generator::next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
float Generator::next_float() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }

double Generator::next_normal() {
  // Box-Muller: for u1, u2 uniform, sqrt(-2 ln u1) cos(2 pi u2) is N(0, 1).
  // NOTE: u1 is taken from (0, 1] so that log(u1) stays finite.
  const double u1 = 1.0 - next_double();
  const double u2 = next_double();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::uint64_t Generator::next_below(std::uint64_t n) {
  // Lemire, "Fast random integer generation in an interval" (2019): multiply, and reject
  // the few low products that would make some results more likely than others.
  if (n == 0) {
    throw ValueError("next_below: the range [0, n) is empty");
  }
  __uint128_t m = static_cast<__uint128_t>(next_u64()) * n;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<__uint128_t>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

Tensor rand(const Shape& shape, Generator& gen, DType dtype) {
  return uniform(shape, 0.0, 1.0, gen, dtype);
}

Tensor uniform(const Shape& shape, double low, double high, Generator& gen, DType dtype) {
  if (!(low <= high)) {
    throw ValueError("uniform: low must not exceed high, got [" + std::to_string(low) + ", " +
                     std::to_string(high) + ")");
  }
  if (dtype == DType::float32) {  // 24-bit floats: the exact values PyTorch-like code expects
    return fill_random("uniform", shape, dtype, [&] {
      return static_cast<double>(static_cast<float>(low) +
                                 static_cast<float>(high - low) * gen.next_float());
    });
  }
  return fill_random("uniform", shape, dtype,
                     [&] { return low + (high - low) * gen.next_double(); });
}

Tensor randn(const Shape& shape, Generator& gen, DType dtype) {
  return normal(shape, 0.0, 1.0, gen, dtype);
}

Tensor normal(const Shape& shape, double mean, double std, Generator& gen, DType dtype) {
  if (!(std >= 0.0)) {
    throw ValueError("normal: std must be non-negative, got " + std::to_string(std));
  }
  return fill_random("normal", shape, dtype, [&] { return mean + std * gen.next_normal(); });
}

Tensor bernoulli(const Shape& shape, double p, Generator& gen, DType dtype) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw ValueError("bernoulli: p must be in [0, 1], got " + std::to_string(p));
  }
  return fill_random("bernoulli", shape, dtype, [&] { return gen.next_double() < p ? 1.0 : 0.0; });
}

Tensor bernoulli(const Tensor& probs, Generator& gen) {
  check_floating("bernoulli", probs);
  Tensor p64 = probs.to(DType::float64);
  const double* p = p64.data<double>();
  std::int64_t i = 0;
  return fill_random("bernoulli", probs.shape(), probs.dtype(), [&] {
    const double pi = p[i++];
    if (!(pi >= 0.0 && pi <= 1.0)) {
      throw ValueError("bernoulli: probabilities must be in [0, 1], got " + std::to_string(pi));
    }
    return gen.next_double() < pi ? 1.0 : 0.0;
  });
}

std::vector<std::int64_t> randperm(std::int64_t n, Generator& gen) {
  if (n < 0) {
    throw ValueError("randperm: n must not be negative, got " + std::to_string(n));
  }
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  // Fisher-Yates: swap each position with a uniformly chosen one at or before it.
  for (std::int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::int64_t>(gen.next_below(static_cast<std::uint64_t>(i + 1)));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

}  // namespace xtgrad
