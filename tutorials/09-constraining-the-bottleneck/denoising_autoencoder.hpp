#pragma once
// The second rung of the ladder: a denoising autoencoder wraps ANY autoencoder of chapter 08
// and adds one thing, a corruption of its input during training. The loss still compares the
// output with the CLEAN input (Vincent et al. 2008, "Extracting and Composing Robust Features
// with Denoising Autoencoders"):
//
//   x~ = corrupt(x)                  masking: x * m, m_d ~ Bernoulli(1 - nu)
//                                    gaussian: clip(x + sigma * eps, 0, 1), eps ~ N(0, I)
//   L  = (1/N) sum_n BCE(x_n, decode(encode(x~_n)))
//
// Copying x~ would reproduce the noise, so the network must learn what images look like.
#include <memory>

#include "08-deep-autoencoders/autoencoder_ladder.hpp"

namespace ladder {

enum class Noise { masking, gaussian };

inline const char* noise_name(Noise kind) { return kind == Noise::masking ? "masking" : "gaussian"; }

// [book:corrupt]
// x (N, D) in [0, 1]; level is nu (the fraction of pixels set to 0) or sigma.
inline Tensor corrupt(const Tensor& x, Noise kind, double level, Generator& gen) {
  if (kind == Noise::masking) return x * bernoulli(x.shape(), 1.0 - level, gen, x.dtype());
  return clamp(x + normal(x.shape(), 0.0, level, gen, x.dtype()), 0.0, 1.0);
}
// [/book:corrupt]

// [book:denoising]
class DenoisingAutoencoder : public nn::Module {
 public:
  DenoisingAutoencoder(std::shared_ptr<Autoencoder> inner_, Noise kind_, double level_,
                       std::uint64_t seed)
      : inner(register_module("inner", std::move(inner_))), kind(kind_), level(level_), gen_(seed) {
    register_generator(&gen_);
  }

  // Corrupt (in training only), then the inner model's own loss against the clean input.
  Variable loss(const Variable& x) {
    const Variable noisy = is_training() ? Variable(corrupt(x.data(), kind, level, gen_)) : x;
    return inner->loss(noisy, x);
  }
  Variable forward(const Variable& x) override { return (*inner)(x); }
  std::string describe() const override {
    return std::string("Denoising(") + inner->describe() + ", " + noise_name(kind) + ")";
  }

  std::shared_ptr<Autoencoder> inner;
  Noise kind;
  double level;

 private:
  Generator gen_;  // the corruption's draws
};
// [/book:denoising]

inline nn::BatchLoss own_loss(DenoisingAutoencoder& model) {
  return [&model](nn::Module&, const nn::Batch& b) { return model.loss(Variable(b.input)); };
}

}  // namespace ladder
