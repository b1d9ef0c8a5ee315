#include "autoencoders/denoising.hpp"

#include <cmath>
#include <sstream>

#include "autograd/ops.hpp"
#include "data/pictures.hpp"
#include "tensor/all.hpp"

namespace xtgrad::ae {

NoiseKind parse_noise(const std::string& name) {
  if (name == "masking") return NoiseKind::masking;
  if (name == "gaussian") return NoiseKind::gaussian;
  if (name == "salt_and_pepper") return NoiseKind::salt_and_pepper;
  throw ValueError("noise: unknown kind " + quote(name) + " (masking, gaussian, salt_and_pepper)");
}

std::string noise_name(NoiseKind kind) {
  switch (kind) {
    case NoiseKind::masking:
      return "masking";
    case NoiseKind::gaussian:
      return "gaussian";
    case NoiseKind::salt_and_pepper:
      return "salt_and_pepper";
  }
  return "gaussian";
}

// [book:corrupt]
Tensor corrupt(const Tensor& x, const NoiseConfig& noise, Generator& gen) {
  const double level = noise.level;
  if (!(level >= 0) || (noise.kind != NoiseKind::gaussian && level > 1)) {
    throw ValueError("corrupt: the " + noise_name(noise.kind) +
                     " level must be in [0, 1] (sigma >= 0 "
                     "for gaussian), got " +
                     std::to_string(level));
  }
  switch (noise.kind) {
    case NoiseKind::masking:  // keep each pixel with probability 1 - nu
      return x * bernoulli(x.shape(), 1.0 - level, gen, x.dtype());
    case NoiseKind::gaussian:
      return clamp(x + normal(x.shape(), 0.0, level, gen, x.dtype()), 0.0, 1.0);
    case NoiseKind::salt_and_pepper: {
      const Tensor hit = bernoulli(x.shape(), level, gen, x.dtype()) > 0.5;  // which pixels
      const Tensor salt = bernoulli(x.shape(), 0.5, gen, x.dtype());         // 0 or 1
      return where(hit, salt, x);
    }
  }
  return x;
}
// [/book:corrupt]

DenoisingAutoencoder::DenoisingAutoencoder(std::shared_ptr<Autoencoder> inner_,
                                           const NoiseConfig& noise_, std::uint64_t seed)
    : WrappedAutoencoder(std::move(inner_)), noise(noise_), gen_(seed) {
  register_generator(&gen_);
}

// [book:denoising-objective]
Autoencoder::Objective DenoisingAutoencoder::objective(const Variable& input,
                                                       const Variable& target) {
  const Variable noisy = is_training() ? Variable(corrupt(input.data(), noise, gen_)) : input;
  return inner->objective(noisy, target);  // the corrupted input, the clean target
}
// [/book:denoising-objective]

std::string DenoisingAutoencoder::describe() const {
  std::ostringstream s;
  s << "Denoising(" << inner->describe() << ", " << noise_name(noise.kind) << " " << noise.level
    << ")";
  return s.str();
}

std::vector<std::pair<std::string, double>> DenoisingAutoencoder::report(const Tensor& x) {
  Generator fixed(12345);  // the same corruption in every run
  const Tensor noisy = corrupt(x, noise, fixed);
  const double n = static_cast<double>(x.size(0));
  const Tensor x64 = x.to(DType::float64);
  const double noisy_sse = sum(square(noisy.to(DType::float64) - x64)).item() / n;
  const Tensor denoised = reconstruct(*inner, noisy).to(DType::float64);
  const double denoised_sse = sum(square(denoised - x64)).item() / n;
  return {{"noisy_input_sse_per_image", noisy_sse}, {"denoised_sse_per_image", denoised_sse}};
}

std::vector<std::string> DenoisingAutoencoder::draw_pictures(const Tensor& test_images,
                                                             const std::string& dir,
                                                             std::uint64_t seed) {
  Generator gen(12345);  // the corruption report() measures
  const Tensor originals = test_images.rows(0, std::min<std::int64_t>(10, test_images.size(0)));
  const Tensor noisy = corrupt(originals, noise, gen);
  const std::string path = dir + "/denoising.png";
  data::save_image_grid(path, concatenate({noisy, reconstruct(*inner, noisy), originals}), 28, 28,
                        10, 3);
  std::vector<std::string> written = inner->draw_pictures(test_images, dir, seed);
  written.insert(written.begin(), path);
  return written;
}

}  // namespace xtgrad::ae
