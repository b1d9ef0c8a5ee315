// Chapter 08: the article's TensorFlow example, ported, and what its data can teach.
//
// The article (003_3a81e993a52ca977.txt, section 4) trains a 100-64-32-64-100 autoencoder
// (ReLU hidden layers, sigmoid code and output, MSE, Adam, Keras' default batch of 32) for 100
// epochs on X = np.random.rand(1000, 100): independent uniform numbers. Such data have no
// structure to find: no 32 numbers summarise 100 independent ones. A model can only memorise
// its 1000 training rows, and on new rows of the same kind it can do no better than guessing
// 0.5 everywhere (MSE 1/12 = 0.0833) plus what a linear projection keeps by chance.
// The same network, trained the same way on 100-pixel images (Fashion-MNIST shrunk to 10 x 10:
// the 28 x 28 image padded by one pixel to 30 x 30, then 3 x 3 blocks averaged), does find a
// code that works on images it has not seen.
//
//   ch08_article_example [--short] [--out DIR] [--data-dir DIR]
#include <cstdio>

#include "08-deep-autoencoders/chapter_options.hpp"
#include "08-deep-autoencoders/ladder_helpers.hpp"
#include "autoencoders/deep.hpp"
#include "data/pca.hpp"

using namespace xtgrad;

namespace {

const char* kUsage =
    "usage: ch08_article_example [--short] [--out DIR] [--data-dir DIR]\n"
    "  the article's 100-64-32-64-100 Keras model on uniform noise and on 10 x 10 images\n";

// [book:keras_model]
// The article's model: Dense(64, relu), Dense(32, sigmoid) | Dense(64, relu), Dense(100, sigmoid).
class ArticleModel : public nn::Module {
 public:
  explicit ArticleModel(Generator& gen) {
    encoder = register_module("encoder", std::make_shared<nn::Sequential>());
    encoder->add(std::make_shared<nn::Linear>(100, 64, gen)).add(std::make_shared<nn::ReLU>());
    encoder->add(std::make_shared<nn::Linear>(64, 32, gen)).add(std::make_shared<nn::Sigmoid>());
    decoder = register_module("decoder", std::make_shared<nn::Sequential>());
    decoder->add(std::make_shared<nn::Linear>(32, 64, gen)).add(std::make_shared<nn::ReLU>());
    decoder->add(std::make_shared<nn::Linear>(64, 100, gen)).add(std::make_shared<nn::Sigmoid>());
  }
  Variable forward(const Variable& x) override { return (*decoder)((*encoder)(x)); }
  std::string describe() const override { return "ArticleModel(100-64-32-64-100)"; }
  std::shared_ptr<nn::Sequential> encoder, decoder;
};
// [/book:keras_model]

// Keras' 'mse': the mean over the batch AND the 100 features.
double mse(const Tensor& a, const Tensor& b) {
  return ladder::sse_per_image(a, b) / double(a.size(1));
}

// [book:library_model]
// The same model is the library's deep autoencoder: sizes {100, 64, 32}, ReLU hidden units, a
// sigmoid code and a sigmoid output. Built from the same draws, it is the same function.
ae::DeepAutoencoder library_model(Generator& gen) {
  ae::DeepConfig c;
  c.sizes = {100, 64, 32};
  c.hidden = nn::Activation::relu;
  c.code = nn::Activation::sigmoid;
  c.output = nn::Activation::sigmoid;
  c.loss = ae::ReconstructionLoss::sse;  // (the training below uses Keras' mse, as the article)
  return ae::DeepAutoencoder(c, gen);
}

void same_function(const Tensor& x) {
  Generator gen(0), same(0);
  ArticleModel by_hand(gen);
  ae::DeepAutoencoder library = library_model(same);
  NoGradGuard no_grad;
  const double difference =
      max(abs(by_hand(Variable(x)).data() - library(Variable(x)).data())).item();
  std::printf("%s\n", library.summary({100}, 32).c_str());
  std::printf("largest difference between the two models' outputs on %lld rows: %g\n",
              (long long)x.size(0), difference);
  std::printf("result library_vs_by_hand %g\n", difference);
}
// [/book:library_model]

// Trains the article's model (the library's class) on `train` and prints its MSE on `train`
// and on `fresh`, next to guessing each feature's training mean and to PCA with 32 components.
void run(const std::string& key, const std::string& title, const Tensor& train, const Tensor& fresh,
         int epochs) {
  Generator gen(0);
  ae::DeepAutoencoder model = library_model(gen);
  auto loss = [&](nn::Module& m, const nn::Batch& b) {
    return nn::mse_loss(m(Variable(b.input)), Variable(b.input), nn::Reduction::mean);
  };
  ladder::train(model, loss, train, epochs, 1, 1e-3, 32);
  auto reconstruct = [&](const Tensor& x) {
    return ladder::map_rows(model, x, [&](const Variable& v) { return model(v); });
  };
  const data::PCA pca = data::PCA::fit(train);
  const Tensor mean_guess = pca.reconstruct(fresh, 0);  // k = 0: the mean row for every row
  std::printf("\n%s\n", title.c_str());
  std::printf("  %-34s %10s %10s\n", "MSE per feature", "training", "new rows");
  std::printf("  %-34s %10.4f %10.4f\n", "autoencoder 100-64-32-64-100",
              mse(reconstruct(train), train), mse(reconstruct(fresh), fresh));
  std::printf("  %-34s %10.4f %10.4f\n", "PCA, 32 components", pca.sse_per_image(train, 32) / 100,
              pca.sse_per_image(fresh, 32) / 100);
  std::printf("  %-34s %10.4f %10.4f\n", "the training mean, no code at all",
              pca.sse_per_image(train, 0) / 100, mse(mean_guess, fresh));
  std::printf("result %s_ae_new_mse %.4f\n", key.c_str(), mse(reconstruct(fresh), fresh));
  std::printf("result %s_pca32_new_mse %.4f\n", key.c_str(), pca.sse_per_image(fresh, 32) / 100);
  std::printf("result %s_mean_new_mse %.4f\n", key.c_str(), mse(mean_guess, fresh));
}

// 28 x 28 images -> 10 x 10: pad to 30 x 30 with zeros, then average each 3 x 3 block.
Tensor shrink_to_10x10(const Tensor& images) {
  const std::int64_t n = images.size(0);
  const std::vector<double> p = images.to(DType::float64).to_vector<double>();
  std::vector<double> out(static_cast<std::size_t>(n * 100), 0.0);
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t r = 0; r < 28; ++r) {
      for (std::int64_t c = 0; c < 28; ++c) {
        out[i * 100 + ((r + 1) / 3) * 10 + (c + 1) / 3] += p[i * 784 + r * 28 + c] / 9.0;
      }
    }
  }
  return Tensor(out, {n, 100}).to(DType::float32);
}

}  // namespace

int main(int argc, char** argv) {
  const ladder::ChapterOptions opt = ladder::parse_options(argc, argv, {}, kUsage);
  const int epochs = opt.short_mode ? 5 : 100;
  Generator rows(1);
  same_function(rand({1000, 100}, rows));
  // [book:noise]
  Generator gen(42);
  const Tensor noise_train = rand({1000, 100}, gen);  // X = np.random.rand(1000, 100)
  const Tensor noise_fresh = rand({1000, 100}, gen);  // 1000 more rows of the same kind
  run("noise", "uniform noise, as in the article (1000 training rows, 1000 new rows)", noise_train,
      noise_fresh, epochs);
  // [/book:noise]
  const ladder::Images data = ladder::load_images(opt, 1000, 1000, "ch08_article_example");
  run("images", "Fashion-MNIST shrunk to 10 x 10 (1000 training images, 1000 test images)",
      shrink_to_10x10(data.train.images), shrink_to_10x10(data.test.images), epochs);
  return 0;
}
