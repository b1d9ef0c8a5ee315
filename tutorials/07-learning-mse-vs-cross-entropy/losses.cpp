// Chapter 7: MSE against cross-entropy, and the article's cross-entropy, which lacks a term.
//
// The same autoencoder (article_model.hpp: 784-128-64-128-784, sigmoid outputs x_hat in (0, 1))
// from the same initial weights, trained three times, each loss averaged over pixels and images:
//
//   mse          (x - x_hat)^2
//   bce          -x log x_hat - (1 - x) log(1 - x_hat)      binary cross-entropy
//   article_ce   -x log x_hat                               the article's formula (3.2.2)
//
// d/dx_hat of -x log x_hat is -x / x_hat: never positive. Nothing ever pulls an output down,
// so every pixel with x > 0 is pushed towards x_hat = 1 and the pixels with x = 0 feel nothing.
// The missing -(1 - x) log(1 - x_hat) is what pulls x_hat down towards x: with it the
// derivative is (x_hat - x) / (x_hat (1 - x_hat)), zero exactly at x_hat = x.
//
// All three are judged by the same yardstick: the squared error per test image (summed over
// the 784 pixels), and the mean output pixel (the test images' mean pixel is printed too).
//
//   ch07_losses [--short] [--out DIR]
// Full mode: 20000 training and 10000 test images, 10 epochs, Adam lr 1e-3, batch 256.
// --short: 1000 and 500 images, 1 epoch. Writes losses.png to --out.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "../common/program_args.hpp"
#include "article_model.hpp"
#include "data/fashion_mnist.hpp"
#include "data/pictures.hpp"

using namespace xtgrad;
using namespace xtgrad::ch07;

namespace {

using Loss = std::function<Variable(const Variable& x_hat, const Variable& x)>;

// [book:losses]
Variable mse(const Variable& x_hat, const Variable& x) { return nn::mse_loss(x_hat, x); }

Variable bce(const Variable& x_hat, const Variable& x) { return nn::bce_loss(x_hat, x); }

// The article's "cross-entropy for continuous data": -(1/N) sum x log x_hat.
// NOTE: log(x_hat) is -inf if x_hat rounds to 0; this loss only ever raises x_hat, so it
// does not happen here (bce_loss clamps its logs at -100 for that reason).
Variable article_ce(const Variable& x_hat, const Variable& x) { return -mean(x * log(x_hat)); }
// [/book:losses]

struct Outcome {
  double test_sse;     // squared error per test image, summed over pixels
  double mean_output;  // mean of x_hat over the test images
  double saturated;    // fraction of test outputs above 0.99
  Tensor pictures;     // reconstructions of the first 10 test images (10, D)
};

Outcome train_with(const Loss& loss, const Tensor& train_images, const Tensor& test_images,
                   int epochs, std::int64_t batch) {
  Generator gen(3);  // the same initial weights for all three losses
  const auto model = chain(make_encoder(gen), make_decoder(gen));
  nn::Adam adam(model->parameters(), 1e-3);
  nn::FitOptions options;
  options.epochs = epochs;
  options.batch_size = batch;
  options.seed = 1;
  options.progress = false;
  const nn::TensorDataset train(train_images);
  nn::fit(*model, nn::reconstruction_loss(loss), adam, train, nullptr, options);

  model->eval();
  NoGradGuard no_grad;
  const Tensor x_hat = (*model)(Variable(test_images)).data();  // (N, D)
  const double n = static_cast<double>(test_images.size(0));
  return {sum(square(x_hat - test_images)).item() / n, mean(x_hat).item(),
          mean((x_hat > 0.99).to(DType::float32)).item(), x_hat.rows(0, 10).clone()};
}

int run(bool short_mode, const std::string& out_dir) {
  const std::string dir = data::default_fashion_mnist_dir();
  const data::ImageSet train =
      data::load_fashion_mnist(data::Split::train, dir, short_mode ? 1000 : 20000);
  const data::ImageSet test =
      data::load_fashion_mnist(data::Split::test, dir, short_mode ? 500 : -1);
  const int epochs = short_mode ? 1 : 10;
  std::printf(
      "Fashion-MNIST: %lld training and %lld test images; 784-128-64-128-784, sigmoid "
      "outputs, Adam lr 1e-3, batch 256, %d epochs\n\n",
      static_cast<long long>(train.images.size(0)), static_cast<long long>(test.images.size(0)),
      epochs);
  std::printf("%-11s %16s %18s %22s\n", "loss", "test SSE/image", "mean output pixel",
              "outputs above 0.99");
  const double data_mean = mean(test.images).item();
  const double data_saturated = mean((test.images > 0.99).to(DType::float32)).item();
  std::printf("%-11s %16s %18.4f %22.4f\n", "(the data)", "", data_mean, data_saturated);

  const std::vector<std::pair<std::string, Loss>> losses = {
      {"mse", mse}, {"bce", bce}, {"article_ce", article_ce}};
  std::vector<Tensor> rows{test.images.rows(0, 10)};
  for (const auto& [name, loss] : losses) {
    const Outcome o = train_with(loss, train.images, test.images, epochs, 256);
    std::printf("%-11s %16.3f %18.4f %22.4f\n", name.c_str(), o.test_sse, o.mean_output,
                o.saturated);
    std::printf("result %s.test_sse %.3f\nresult %s.mean_output %.4f\nresult %s.saturated %.4f\n",
                name.c_str(), o.test_sse, name.c_str(), o.mean_output, name.c_str(), o.saturated);
    std::fflush(stdout);
    rows.push_back(o.pictures);
  }
  std::printf("result data.mean_pixel %.4f\nresult data.saturated %.4f\n", data_mean,
              data_saturated);

  std::filesystem::create_directories(out_dir);
  data::save_image_grid(out_dir + "/losses.png", concatenate(rows, 0), 28, 28, 10);
  std::printf("wrote losses.png (rows: test images, then trained with mse, bce, article_ce)\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const book::ProgramArgs args = book::parse_program_args(argc, argv, "ch07_losses");
  try {
    return run(args.short_mode, args.out);
  } catch (const xtgrad::Error& e) {
    std::fprintf(stderr, "ch07_losses: %s\n", e.what());
    return 2;
  }
}
