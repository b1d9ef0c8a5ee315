// Chapter 7: the article's Keras model (article_model.hpp) as written, then fixed, trained as
// the article compiles it (MSE, Adam lr 1e-3, batch 256), against PCA with as many components
// as the code has numbers, fitted in the same run to the same images; then new images decoded
// from perturbed codes.
//
//   ch07_article_model [--short] [--out DIR]
// Full mode: 20000 training images (the article: 60000), 10 epochs (the article: 50), all 10000
// test images. --short: 1000 and 500 images, 1 epoch. Writes perturbed_codes.png to --out.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "../common/program_args.hpp"
#include "article_model.hpp"
#include "data/fashion_mnist.hpp"
#include "data/pca.hpp"
#include "data/pictures.hpp"

using namespace xtgrad;
using namespace xtgrad::ch07;

namespace {

Variable mse(const Variable& x_hat, const Variable& x) { return nn::mse_loss(x_hat, x); }

// [book:as_written]
// Keras's fit would compute mse(decoder output, x_train) on the first batch; so do we.
bool as_written_fails(const Tensor& images) {
  Generator gen(1);
  const auto model = chain(make_encoder(gen), make_decoder_as_written(gen));
  const Variable x(images.rows(0, 256));
  try {
    mse(model->forward(x), x);
    std::printf("the article's model: ran without an error\n");
    return false;
  } catch (const ShapeError& e) {
    std::printf("the article's model, first batch:\n  ShapeError: %s\n", e.what());
    return true;
  }
}
// [/book:as_written]

// The article's test error, np.mean(np.power(x_test - decoded_imgs, 2), axis=1), on images of
// shape (N, 28, 28): axis 1 is the image's rows, so it averages each column of pixels.
Shape article_error_shape(const Tensor& test_images, const Tensor& x_hat) {
  const std::int64_t n = test_images.size(0);
  return mean(square(test_images - x_hat).reshape({n, 28, 28}), {1}).shape();
}

// [book:perturb]
// New images from codes: z + scale * s * noise, s the spread of each code unit over the
// training images; and codes drawn unit by unit from N(mean_j, s_j^2). ReLU codes are >= 0,
// so perturbed codes are clipped at 0 too.
Tensor decode_perturbed(nn::Module& decoder, const Tensor& codes, const Tensor& spread,
                        double scale, Generator& gen) {
  const Tensor noise = randn(codes.shape(), gen);
  return decoder(Variable(relu(codes + scale * spread * noise))).data();
}
// [/book:perturb]

int run(bool short_mode, const std::string& out_dir) {
  const std::string dir = data::default_fashion_mnist_dir();
  const data::ImageSet train =
      data::load_fashion_mnist(data::Split::train, dir, short_mode ? 1000 : 20000);
  const data::ImageSet test =
      data::load_fashion_mnist(data::Split::test, dir, short_mode ? 500 : -1);
  const int epochs = short_mode ? 1 : 10;
  const bool failed = as_written_fails(train.images);

  std::printf(
      "\nthe fixed model, 784-128-64-128-784, MSE, Adam lr 1e-3, batch 256: %lld training "
      "images, %d epochs\n",
      static_cast<long long>(train.images.size(0)), epochs);
  Generator gen(1);
  const auto encoder = make_encoder(gen);
  const auto decoder = make_decoder(gen);
  const auto model = chain(encoder, decoder);
  nn::Adam adam(model->parameters(), 1e-3);
  nn::FitOptions options;
  options.epochs = epochs;
  options.batch_size = 256;
  options.seed = 1;
  options.progress = false;
  const nn::TensorDataset train_data(train.images);
  const nn::FitResult fit =
      nn::fit(*model, nn::reconstruction_loss(mse), adam, train_data, nullptr, options);
  for (const nn::EpochRecord& r : fit.history) {
    std::printf("  epoch %2d  train MSE per pixel %.5f\n", r.epoch, r.train_loss);
  }

  model->eval();
  NoGradGuard no_grad;
  const Tensor codes = encoder->forward(Variable(test.images)).data();  // (N, Z)
  const Tensor x_hat = decoder->forward(Variable(codes)).data();        // (N, D)
  const double n = static_cast<double>(test.images.size(0));
  const double ae_sse = sum(square(x_hat - test.images)).item() / n;
  const data::PCA pca = data::PCA::fit(train.images);
  const double pca_sse = pca.sse_per_image(test.images, Z);
  const double mean_sse = pca.sse_per_image(test.images, 0);
  std::printf("\ntest squared error per image (summed over 784 pixels)\n");
  std::printf("  the mean training image for every image   %8.3f\n", mean_sse);
  std::printf("  PCA, %lld components                        %8.3f\n", static_cast<long long>(Z),
              pca_sse);
  std::printf("  autoencoder, a %lld-number code              %8.3f\n", static_cast<long long>(Z),
              ae_sse);
  const Shape shape = article_error_shape(test.images, x_hat);
  std::printf(
      "\nthe article's np.mean(..., axis=1) on (N, 28, 28) images has shape (%lld, %lld): "
      "one number per image column, not per image\n",
      static_cast<long long>(shape[0]), static_cast<long long>(shape[1]));

  // New images: 10 test images, their reconstructions, two perturbations of their codes, and
  // codes drawn from independent Gaussians fitted to the training codes.
  const Tensor train_codes = encoder->forward(Variable(train.images)).data();
  const Tensor code_mean = mean(train_codes, {0});
  const Tensor spread = sqrt(var(train_codes, {0}));
  const Tensor first = codes.rows(0, 10);
  Generator noise(5);
  const Tensor drawn = relu(code_mean + spread * randn({10, Z}, noise));
  const Tensor grid = concatenate({test.images.rows(0, 10), x_hat.rows(0, 10),
                                   decode_perturbed(*decoder, first, spread, 0.5, noise),
                                   decode_perturbed(*decoder, first, spread, 2.0, noise),
                                   decoder->forward(Variable(drawn)).data()},
                                  0);
  std::filesystem::create_directories(out_dir);
  data::save_image_grid(out_dir + "/perturbed_codes.png", grid, 28, 28, 10);
  std::printf(
      "wrote perturbed_codes.png (rows: test images, reconstructions, codes + 0.5 s noise, "
      "codes + 2 s noise, codes drawn unit by unit)\n");

  std::printf("result as_written_shape_error %d\n", failed ? 1 : 0);
  std::printf("result ae_test_sse %.3f\nresult pca_test_sse %.3f\nresult mean_image_sse %.3f\n",
              ae_sse, pca_sse, mean_sse);
  std::printf("result article_error_columns %lld\n", static_cast<long long>(shape[1]));
  return failed ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const book::ProgramArgs args = book::parse_program_args(argc, argv, "ch07_article_model");
  try {
    return run(args.short_mode, args.out);
  } catch (const xtgrad::Error& e) {
    std::fprintf(stderr, "ch07_article_model: %s\n", e.what());
    return 2;
  }
}
