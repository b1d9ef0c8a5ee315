// Chapter 08: how big should the code be? A deep ReLU autoencoder 784-500-250-k against PCA
// with k components, for k = 2, 8, 16, 32, 64, on the same images.
//
// PCA's error falls as k grows by exactly the variance of the components it adds; the
// autoencoder's nonlinearity pays most where the code is smallest. For k = 2 both codes are
// drawn as scatter plots of the test images, coloured by class (the labels are never used in
// training). Full mode: the first 10000 training images, 6 epochs per size, 10000 test images.
//
//   ch08_code_sizes [--short] [--out DIR] [--data-dir DIR]
#include <cstdio>

#include "08-deep-autoencoders/chapter_options.hpp"
#include "08-deep-autoencoders/ladder_helpers.hpp"
#include "autoencoders/deep.hpp"
#include "data/pca.hpp"
#include "data/plots.hpp"

using namespace xtgrad;
using nn::Activation;

namespace {

const char* kUsage =
    "usage: ch08_code_sizes [--short] [--out DIR] [--data-dir DIR]\n"
    "  deep ReLU autoencoders 784-500-250-k against PCA with k components, k = 2 ... 64\n";

std::vector<std::string> class_names() {
  return {data::fashion_mnist_classes.begin(), data::fashion_mnist_classes.end()};
}

}  // namespace

int main(int argc, char** argv) {
  const ladder::ChapterOptions opt = ladder::parse_options(argc, argv, {}, kUsage);
  const std::int64_t train_n = opt.short_mode ? 1000 : 10000, test_n = opt.short_mode ? 500 : 10000;
  const int epochs = opt.short_mode ? 1 : 6;
  const ladder::Images data = ladder::load_images(opt, train_n, test_n, "ch08_code_sizes");
  const Tensor& x = data.train.images;
  const Tensor& test = data.test.images;
  std::printf("training images %lld, test images %lld, %d epochs per code size\n",
              (long long)x.size(0), (long long)test.size(0), epochs);

  const data::PCA pca = data::PCA::fit(x);
  std::printf("%6s %14s %14s %10s\n", "k", "PCA SSE", "deep AE SSE", "AE / PCA");
  // [book:sweep]
  for (std::int64_t k : {2, 8, 16, 32, 64}) {
    Generator gen(k);
    ae::DeepAutoencoder model({{784, 500, 250, k}, Activation::relu, Activation::identity}, gen);
    ladder::train(model, ladder::own_loss(model), x, epochs, 1);
    const double ae = ladder::reconstruction_sse(model, test);
    const double linear = pca.sse_per_image(test, k);
    std::printf("%6lld %14.3f %14.3f %10.3f\n", (long long)k, linear, ae, ae / linear);
    std::printf("result pca%lld_test_sse %.3f\n", (long long)k, linear);
    std::printf("result ae%lld_test_sse %.3f\n", (long long)k, ae);
    if (k == 2 && data::gnuplot_available()) {
      const Tensor shown = test.rows(0, std::min<std::int64_t>(2000, test.size(0)));
      const Tensor labels = data.test.labels.rows(0, shown.size(0));
      const Tensor codes =
          ladder::map_rows(model, shown, [&](const Variable& v) { return model.encode(v); });
      data::plot_latent_scatter(opt.out + "/ch08_codes_ae2.png", codes, labels, class_names(),
                                "deep autoencoder, 2-number code (test images)");
      data::plot_latent_scatter(opt.out + "/ch08_codes_pca2.png", pca.encode(shown, 2), labels,
                                class_names(), "PCA, first 2 components (test images)");
      std::printf("wrote ch08_codes_ae2.png and ch08_codes_pca2.png (in --out)\n");
    }
  }
  // [/book:sweep]
  return 0;
}
