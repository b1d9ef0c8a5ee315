// Chapter 5: the autoencoder of autoencoder_by_hand.hpp trained on Fashion-MNIST with Adam.
// It links xtgrad::data (Fashion-MNIST, PCA, pictures) and nothing that computes gradients:
// every gradient comes from backward(), the chain rule written out by hand.
//
//   ch05_train_by_hand [--short] [--out DIR] [--epochs N] [--batch-size B] [--limit N]
//                      [--seed S] [--data-dir DIR]
//
// Full mode: all 60000 training images, 15 epochs, all 10000 test images.
// --short (CI): 1000 training and 1000 test images, 1 epoch.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "autoencoder_by_hand.hpp"
#include "data/fashion_mnist.hpp"
#include "data/pca.hpp"
#include "data/pictures.hpp"

using namespace xtgrad;
using namespace xtgrad::by_hand;

namespace {

struct Options {
  long long epochs = 15;
  long long batch_size = 256;
  long long limit = -1;       // training images; -1: all 60000
  long long test_limit = -1;  // test images; -1: all 10000
  long long seed = 1;
  std::string out = ".";
  std::string data_dir = data::default_fashion_mnist_dir();
  bool help = false;
};

const char* kUsage =
    "usage: ch05_train_by_hand [--short] [--out DIR] [--epochs N] [--batch-size B] [--limit N]\n"
    "                          [--seed S] [--data-dir DIR]\n"
    "  defaults: 15 epochs, batch 256, all 60000 training images, all test images,\n"
    "  seed 1; --short: 1 epoch on 1000 training and 1000 test images (CI)\n"
    "  writes reconstructions.png to --out (default: the current folder)\n";

// `text` as a whole number in [low, high]; ValueError naming `flag` otherwise.
long long parse_int(const std::string& flag, const std::string& text, long long low,
                    long long high) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < low || value > high) {
    throw ValueError(flag + " expects a whole number from " + std::to_string(low) + " to " +
                     std::to_string(high) + ", got '" + text + "'");
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 == argc) throw ValueError(flag + " needs a value (see --help)");
      return argv[++i];
    };
    if (flag == "--help" || flag == "-h")
      options.help = true;
    else if (flag == "--short") {
      options.epochs = 1;
      options.limit = 1000;
      options.test_limit = 1000;
    } else if (flag == "--epochs")
      options.epochs = parse_int(flag, value(), 1, 10000);
    else if (flag == "--batch-size")
      options.batch_size = parse_int(flag, value(), 1, 60000);
    else if (flag == "--limit")
      options.limit = parse_int(flag, value(), 1, 60000);  // the first N
    else if (flag == "--seed")
      options.seed = parse_int(flag, value(), 0, LLONG_MAX);
    else if (flag == "--out")
      options.out = value();
    else if (flag == "--data-dir")
      options.data_dir = value();
    else
      throw ValueError("unknown option '" + flag + "' (see --help)");
  }
  return options;
}

// One pass over `images` in a fresh random order; returns the mean training BCE per image.
// `batch` (B, D) is reused for every mini-batch; the last one may use only its first rows.
// [book:train_epoch]
double train_epoch(Autoencoder& net, Adam& adam, const Tensor& images, std::int64_t batch_size,
                   Tensor& batch, Generator& gen) {
  const std::int64_t n = images.size(0);
  const std::vector<std::int64_t> order = randperm(n, gen);
  double loss_sum = 0.0;
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const std::int64_t end = std::min(n, start + batch_size);
    const std::vector<std::int64_t> rows(order.begin() + start, order.begin() + end);
    Tensor x = batch.rows(0, end - start);  // (N, D), a view of the buffer
    gather_rows_into(x, images, rows);
    const Forward f = forward(net, x);
    loss_sum += bce_sum(x, f.z);
    backward(net, x, f);
    adam.step(net.parameters());
  }
  return loss_sum / static_cast<double>(n);
}
// [/book:train_epoch]

// Per-image BCE and squared error of the reconstructions of `images`.
struct Errors {
  double bce, sse;
};

Errors evaluate(const Autoencoder& net, const Tensor& images) {
  const std::int64_t n = images.size(0);
  Errors total{0.0, 0.0};
  for (std::int64_t start = 0; start < n; start += 1000) {
    const Tensor x = images.rows(start, std::min(n, start + 1000));  // (N, D), no copy
    const Forward f = forward(net, x);
    total.bce += bce_sum(x, f.z);
    total.sse += sum(square(f.x_hat - x)).item();
  }
  return {total.bce / static_cast<double>(n), total.sse / static_cast<double>(n)};
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void run(const Options& options) {
  const data::ImageSet train =
      data::load_fashion_mnist(data::Split::train, options.data_dir, options.limit);
  const data::ImageSet test =
      data::load_fashion_mnist(data::Split::test, options.data_dir, options.test_limit);
  const long long n = train.images.size(0);
  std::printf("Fashion-MNIST: %lld training and %lld test images\n", n,
              static_cast<long long>(test.images.size(0)));
  std::printf(
      "784-32-784 autoencoder, ReLU and sigmoid, BCE loss, Adam lr 1e-3, batch %lld, "
      "seed %lld\n\n",
      options.batch_size, options.seed);

  Generator gen(static_cast<std::uint64_t>(options.seed));
  Autoencoder net = make_autoencoder(gen);
  Adam adam;
  Tensor batch = Tensor::empty({std::min(options.batch_size, n), D});

  std::printf("epoch  train BCE  test BCE   (timing, not checked: samples/s)\n");
  Errors test_errors{};
  for (long long epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    const double train_bce = train_epoch(net, adam, train.images, options.batch_size, batch, gen);
    const double train_seconds = seconds_since(epoch_start);
    test_errors = evaluate(net, test.images);
    std::printf("%5lld  %9.2f  %8.2f   [time] %.0f\n", epoch, train_bce, test_errors.bce,
                static_cast<double>(n) / train_seconds);
    std::fflush(stdout);
  }

  // The linear baseline: PCA's best 32-dimensional linear code for squared error.
  const data::PCA pca = data::PCA::fit(train.images);
  const double pca_sse = pca.sse_per_image(test.images, H);
  std::printf("\ntest squared error per image (summed over 784 pixels)\n");
  std::printf("  autoencoder 784-32-784, %lld epochs  %8.3f\n", options.epochs, test_errors.sse);
  std::printf("  PCA, 32 components                %8.3f\n", pca_sse);
  std::printf("result test_bce %.2f\n", test_errors.bce);
  std::printf("result ae_test_sse %.3f\n", test_errors.sse);
  std::printf("result pca_test_sse %.3f\n", pca_sse);

  // Ten test images (top row) above their reconstructions (bottom row).
  std::filesystem::create_directories(options.out);
  const Tensor originals = test.images.rows(0, 10);
  const Tensor pictures = concatenate({originals, forward(net, originals).x_hat}, 0);  // (20, D)
  const std::string png = options.out + "/reconstructions.png";
  data::save_image_grid(png, pictures, 28, 28, 10);
  std::printf("wrote %s (top: test images, bottom: their reconstructions)\n",
              "reconstructions.png");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse_options(argc, argv);
    if (options.help) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    run(options);
    return 0;
  } catch (const xtgrad::Error& e) {
    std::fprintf(stderr, "ch05_train_by_hand: %s\n", e.what());
    return 2;
  }
}
