// Chapter 09: the denoising autoencoder, measured.
//
// One architecture, 784-256-64 ReLU with a linear code (the Autoencoder of chapter 08), trained
// three ways on the same images: on clean inputs (a plain autoencoder), on masked inputs
// (nu = 0.5: half of the pixels set to 0) and on inputs with Gaussian noise (sigma = 0.5,
// clipped to [0, 1]); the target is always the clean image. Every model is then given test
// images corrupted both ways, and we measure the squared error per image against the clean
// test image: of the noisy input itself, and of each model's output.
// Full mode: the first 10000 training images, 10 epochs, the first 2000 test images.
//
//   ch09_denoising [--short] [--out DIR] [--data-dir DIR] [--noisy-target]
//   --noisy-target  also trains a model whose target is the corrupted image: it learns to
//                   reproduce the noise as far as its code allows, which is why the target must
//                   be the clean image
#include <cstdio>

#include "08-deep-autoencoders/chapter_options.hpp"
#include "08-deep-autoencoders/ladder_helpers.hpp"
#include "autoencoders/deep.hpp"
#include "autoencoders/denoising.hpp"
#include "data/pictures.hpp"

using namespace xtgrad;
using ae::DeepAutoencoder;
using ae::NoiseKind;

namespace {

const char* kUsage =
    "usage: ch09_denoising [--short] [--out DIR] [--data-dir DIR] [--noisy-target]\n"
    "  a plain, a masking and a Gaussian denoising autoencoder on corrupted test images\n";

constexpr double kNu = 0.5, kSigma = 0.5;

// 784-256-64 ReLU with a linear code, a sigmoid output and the BCE loss.
std::shared_ptr<DeepAutoencoder> make_model(std::uint64_t seed) {
  Generator gen(seed);
  ae::DeepConfig c;
  c.sizes = {784, 256, 64};
  c.hidden = nn::Activation::relu;
  c.code = nn::Activation::identity;
  return std::make_shared<DeepAutoencoder>(c, gen);
}

Tensor run(nn::Module& m, const Tensor& x) {
  return ladder::map_rows(m, x, [&](const Variable& v) { return m(v); });
}

}  // namespace

int main(int argc, char** argv) {
  const ladder::ChapterOptions opt = ladder::parse_options(argc, argv, {"--noisy-target"}, kUsage);
  const std::int64_t train_n = opt.short_mode ? 1000 : 10000, test_n = opt.short_mode ? 500 : 2000;
  const int epochs = opt.short_mode ? 1 : 10;
  const ladder::Images data = ladder::load_images(opt, train_n, test_n, "ch09_denoising");
  const Tensor& x = data.train.images;
  const Tensor& test = data.test.images;
  std::printf(
      "training images %lld, %d epochs; test images %lld; masking nu %.2f, gaussian sigma %.2f\n",
      (long long)x.size(0), epochs, (long long)test.size(0), kNu, kSigma);

  // [book:train]
  auto plain = make_model(0), masked = make_model(0), gaussian = make_model(0);
  ladder::train(*plain, ladder::own_loss(*plain), x, epochs, 1);
  ae::DenoisingAutoencoder mask_dae(masked, {NoiseKind::masking, kNu}, 1);
  ladder::train(mask_dae, ladder::own_loss(mask_dae), x, epochs, 1);
  ae::DenoisingAutoencoder gauss_dae(gaussian, {NoiseKind::gaussian, kSigma}, 1);
  ladder::train(gauss_dae, ladder::own_loss(gauss_dae), x, epochs, 1);
  // [/book:train]

  // [book:measure]
  // The same corrupted test images for every model (a fixed generator).
  Generator fixed(12345);
  const Tensor test_masked = ae::corrupt(test, {NoiseKind::masking, kNu}, fixed);
  const Tensor test_gauss = ae::corrupt(test, {NoiseKind::gaussian, kSigma}, fixed);
  std::printf("\nsquared error per image against the clean test image\n");
  std::printf("%-22s %12s %12s %12s\n", "", "clean in", "masked in", "gaussian in");
  std::printf("%-22s %12.3f %12.3f %12.3f\n", "the input itself", 0.0,
              ladder::sse_per_image(test_masked, test), ladder::sse_per_image(test_gauss, test));
  std::printf("result masked_input_sse %.3f\n", ladder::sse_per_image(test_masked, test));
  std::printf("result gaussian_input_sse %.3f\n", ladder::sse_per_image(test_gauss, test));
  for (auto [key, m] : {std::pair<const char*, DeepAutoencoder*>{"plain", plain.get()},
                        {"masking_dae", masked.get()},
                        {"gaussian_dae", gaussian.get()}}) {
    const double clean = ladder::sse_per_image(run(*m, test), test);
    const double from_masked = ladder::sse_per_image(run(*m, test_masked), test);
    const double from_gauss = ladder::sse_per_image(run(*m, test_gauss), test);
    std::printf("%-22s %12.3f %12.3f %12.3f\n", key, clean, from_masked, from_gauss);
    std::printf("result %s_clean_sse %.3f\n", key, clean);
    std::printf("result %s_masked_sse %.3f\n", key, from_masked);
    std::printf("result %s_gaussian_sse %.3f\n", key, from_gauss);
  }
  // [/book:measure]

  // Rows: clean; masked; plain AE on masked; masking DAE on masked; gaussian-noisy; plain AE
  // on it; gaussian DAE on it.
  const Tensor c = test.rows(0, 10), cm = test_masked.rows(0, 10), cg = test_gauss.rows(0, 10);
  data::save_image_grid(
      opt.out + "/ch09_denoising.png",
      concatenate(
          {c, cm, run(*plain, cm), run(*masked, cm), cg, run(*plain, cg), run(*gaussian, cg)}, 0),
      28, 28, 10, 2);
  std::printf("wrote ch09_denoising.png (in --out)\n");

  if (opt.has("--noisy-target")) {
    // [book:noisy_target]
    // The wrong target: corrupt the image, then ask for the corrupted image back.
    auto copier = make_model(0);
    Generator g(1);
    ladder::train(
        *copier,
        [&](nn::Module&, const nn::Batch& b) {
          const Variable noisy(ae::corrupt(b.input, {NoiseKind::gaussian, kSigma}, g));
          return copier->loss_for(noisy, noisy);
        },
        x, epochs, 1);
    // [/book:noisy_target]
    const double e = ladder::sse_per_image(run(*copier, test_gauss), test);
    std::printf("\ntrained against the noisy image instead: %.3f on gaussian-noisy inputs\n", e);
    std::printf("result noisy_target_gaussian_sse %.3f\n", e);
  }
  return 0;
}
