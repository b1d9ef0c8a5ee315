// Chapter 09: an overcomplete autoencoder copies; four ways to stop it, measured.
//
// With 1000 code units for 784 pixels, nothing forces an autoencoder to learn anything about
// images: it can pass every pixel through. We train five models on the same images and the
// same number of passes, all 784 -> H ReLU code -> 784 sigmoid, BCE loss:
//   overcomplete    H = 1000, no constraint
//   small code      H = 32
//   weight decay    H = 1000, + lambda/2 sum W^2 over both weight matrices
//   noise           H = 1000, trained on masked inputs (30% of pixels zeroed) against the clean
//                   ones (the denoising autoencoder, next program of this chapter)
//   sparsity        H = 1000, + alpha (1/N) sum_n ||z_n||_1 on the code
// and measure (a) the error on test images, (b) the error on images of uniform noise, which
// resemble no training image: a model that copies reproduces them too, a model that learned
// what clothes look like cannot, (c) the gain of the model for a small random change of a test
// image (1 for a copier), and (d) the fraction of code units that are non-zero.
// Full mode: the first 10000 training images, 5 epochs, the first 2000 test images.
//
//   ch09_constraints [--short] [--out DIR] [--data-dir DIR]
#include <cmath>
#include <cstdio>
#include <functional>

#include "08-deep-autoencoders/chapter_options.hpp"
#include "08-deep-autoencoders/ladder_helpers.hpp"
#include "autoencoders/deep.hpp"
#include "autoencoders/denoising.hpp"
#include "data/pca.hpp"
#include "data/pictures.hpp"

using namespace xtgrad;
using ae::DeepAutoencoder;

namespace {

const char* kUsage =
    "usage: ch09_constraints [--short] [--out DIR] [--data-dir DIR]\n"
    "  an overcomplete autoencoder against four constrained ones: small code, weight decay,\n"
    "  noise, sparsity\n";

constexpr double kLambda = 0.05;  // weight decay
constexpr double kAlpha = 0.05;   // L1 on the code
constexpr double kMasking = 0.3;  // fraction of pixels zeroed

struct Measured {
  double test_sse, noise_sse, gain;
};

Tensor run(nn::Module& m, const Tensor& x) {
  return ladder::map_rows(m, x, [&](const Variable& v) { return m(v); });
}

// [book:measure]
// f: images (N, 784) -> reconstructions (N, 784), any model.
// gain: how much of a small random change of the input comes out of the model,
//   sqrt( sum_n ||f(x_n + delta_n) - f(x_n)||^2 / sum_n ||delta_n||^2 ),  delta ~ 0.05 N(0, I).
// The identity map (a perfect copier) has gain 1; a model that keeps only what images have in
// common passes little of an arbitrary change through.
using Model = std::function<Tensor(const Tensor&)>;

Measured measure(const Model& f, const Tensor& test, const Tensor& noise) {
  Generator g(11);
  const Tensor delta = normal(test.shape(), 0.0, 0.05, g);
  const double moved = ladder::sse_per_image(f(test + delta), f(test));
  const double gain = std::sqrt(moved / ladder::sse_per_image(delta, zeros_like(delta)));
  return {ladder::sse_per_image(f(test), test), ladder::sse_per_image(f(noise), noise), gain};
}
// The fraction of ReLU code units that are not 0.
double active(DeepAutoencoder& m, const Tensor& test) {
  const Tensor codes = ladder::map_rows(m, test, [&](const Variable& v) { return m.encode(v); });
  return mean((codes > 0.0).to(DType::float64)).item();
}
// [/book:measure]

void print(const std::string& key, const Measured& r, double active_units) {
  std::printf("%-14s %10.3f %10.3f %8.3f", key.c_str(), r.test_sse, r.noise_sse, r.gain);
  if (active_units >= 0) std::printf(" %8.3f", active_units);
  std::printf("\nresult %s_test_sse %.3f\n", key.c_str(), r.test_sse);
  std::printf("result %s_noise_sse %.3f\n", key.c_str(), r.noise_sse);
  std::printf("result %s_gain %.3f\n", key.c_str(), r.gain);
  if (active_units >= 0) std::printf("result %s_active %.3f\n", key.c_str(), active_units);
}

}  // namespace

int main(int argc, char** argv) {
  const ladder::ChapterOptions opt = ladder::parse_options(argc, argv, {}, kUsage);
  const std::int64_t train_n = opt.short_mode ? 1000 : 10000, test_n = opt.short_mode ? 500 : 2000;
  const int epochs = opt.short_mode ? 1 : 5;
  const ladder::Images data = ladder::load_images(opt, train_n, test_n, "ch09_constraints");
  const Tensor& x = data.train.images;
  const Tensor& test = data.test.images;
  Generator noise_gen(7);
  const Tensor noise = rand({test.size(0), 784}, noise_gen);  // images of uniform noise
  std::printf("training images %lld, %d epochs; test images %lld; noise images %lld\n",
              (long long)x.size(0), epochs, (long long)test.size(0), (long long)noise.size(0));
  std::printf("lambda %.3f, alpha %.3f, masking %.2f\n\n", kLambda, kAlpha, kMasking);

  // [book:five]
  Generator gen(0);
  auto relu_code = [&](std::int64_t h) {  // 784 -> h ReLU code -> 784 sigmoid, BCE
    ae::DeepConfig c;
    c.sizes = {784, h};
    c.code = nn::Activation::relu;
    return std::make_shared<DeepAutoencoder>(c, gen);
  };
  auto overcomplete = relu_code(1000), small = relu_code(32), decayed = relu_code(1000),
       noisy = relu_code(1000), sparse = relu_code(1000);

  ladder::train(*overcomplete, ladder::own_loss(*overcomplete), x, epochs, 1);
  ladder::train(*small, ladder::own_loss(*small), x, epochs, 1);
  ladder::train(
      *decayed,
      [&](nn::Module&, const nn::Batch& b) {
        const Variable v(b.input);
        return decayed->loss_for(v, v) +
               kLambda * nn::l2_penalty(ladder::weights(*decayed));  // + lambda/2 sum W^2
      },
      x, epochs, 1);
  ae::DenoisingAutoencoder denoising(noisy, {ae::NoiseKind::masking, kMasking}, 3);
  ladder::train(denoising, ladder::own_loss(denoising), x, epochs, 1);
  ladder::train(
      *sparse,
      [&](nn::Module&, const nn::Batch& b) {
        const Variable v(b.input);
        const Variable z = sparse->encode(v);  // (N, H)
        const double n = static_cast<double>(b.input.size(0));
        const Variable bce =
            nn::bce_with_logits_loss(sparse->decode_logits(z), v, nn::Reduction::sum) / n;
        return bce +
               kAlpha * nn::l1_activity_loss(z, nn::Reduction::sum) / n;  // + alpha mean_n |z_n|_1
      },
      x, epochs, 1);
  // [/book:five]

  const double grey = ladder::sse_per_image(full_like(noise, 0.5), noise);
  std::printf("noise SSE of a model that answers grey (0.5) everywhere: %.3f\n", grey);
  std::printf("%-14s %10s %10s %8s %8s\n", "model", "test SSE", "noise SSE", "gain", "active");
  const std::vector<std::pair<std::string, DeepAutoencoder*>> models = {
      {"overcomplete", overcomplete.get()},
      {"small_code", small.get()},
      {"weight_decay", decayed.get()},
      {"noise", noisy.get()},
      {"sparsity", sparse.get()}};
  std::vector<Tensor> rows = {noise.rows(0, 8)};
  for (const auto& [key, m] : models) {
    const Model f = [&, m = m](const Tensor& t) { return run(*m, t); };
    print(key, measure(f, test, noise), active(*m, test));
    rows.push_back(run(*m, noise.rows(0, 8)));
  }
  // [book:reference]
  // Two linear references: PCA with all 784 components is the identity, a perfect copier; PCA
  // with 32 components is the best linear 32-number code.
  const data::PCA pca = data::PCA::fit(x);
  for (std::int64_t k : {784, 32}) {
    const std::string key = "pca" + std::to_string(k);
    const Model f = [&](const Tensor& t) { return pca.reconstruct(t, k); };
    print(key, measure(f, test, noise), -1);
  }
  // [/book:reference]
  // The noise images (top row) and what each model makes of them, in the order of the table.
  data::save_image_grid(opt.out + "/ch09_noise_in.png", concatenate(rows, 0), 28, 28, 8, 2);
  std::printf("wrote ch09_noise_in.png (in --out)\n");
  return 0;
}
