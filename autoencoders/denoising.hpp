#pragma once
// The denoising autoencoder (Vincent et al. 2008): train a model to give back the clean x
// from a corrupted copy, so that it must learn the structure of the data rather than copy.
// The step of the ladder that wraps any model (model_kinds.hpp) with a corruption.
//
//   x~ = corrupt(x)              new noise for every batch
//   loss = L(decode(encode(x~)), x)       compared with the clean input
//
// Corruptions: masking (each pixel set to 0 with probability nu), additive Gaussian
// (x + sigma N(0, 1), clipped to [0, 1]; Keras's tutorial uses sigma = 0.5) and
// salt-and-pepper (each pixel, with probability nu, set to 0 or 1 with equal chance).
#include "autoencoders/wrapped.hpp"

namespace xtgrad::ae {

enum class NoiseKind { masking, gaussian, salt_and_pepper };
NoiseKind parse_noise(const std::string& name);  // "masking", "gaussian", "salt_and_pepper"
std::string noise_name(NoiseKind kind);

struct NoiseConfig {
  NoiseKind kind = NoiseKind::gaussian;
  double level = 0.5;  // nu for masking and salt-and-pepper, sigma for Gaussian
};

// A corrupted copy of x (values in [0, 1]), drawn from gen.
Tensor corrupt(const Tensor& x, const NoiseConfig& noise, Generator& gen);

class DenoisingAutoencoder : public WrappedAutoencoder {
 public:
  // Wraps any autoencoder; the noise comes from the wrapper's own seeded generator.
  DenoisingAutoencoder(std::shared_ptr<Autoencoder> inner, const NoiseConfig& noise,
                       std::uint64_t seed);

  // The inner model's objective, shown the corrupted input (in training mode) and the clean target.
  Objective objective(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  // noisy_input_sse_per_image (the corruption's own error) and denoised_sse_per_image (the
  // output's error on corrupted inputs), with a fixed seed so runs compare.
  std::vector<std::pair<std::string, double>> report(const Tensor& x) override;
  // denoising.png (rows: corrupted, denoised, clean) and the inner model's pictures.
  std::vector<std::string> draw_pictures(const Tensor& test_images, const std::string& dir,
                                         std::uint64_t seed) override;

  NoiseConfig noise;

 private:
  Generator gen_;
};

}  // namespace xtgrad::ae
