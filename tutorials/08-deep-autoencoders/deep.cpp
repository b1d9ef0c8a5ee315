// Chapter 08: Hinton & Salakhutdinov's deep autoencoder against a shallow one and PCA.
//
// "Reducing the Dimensionality of Data with Neural Networks" (Science 313, 2006) trained a
// 784-1000-500-250-30 autoencoder of logistic units with a linear 30-unit code. Started from
// small random weights, such a net barely learned (with the gradient descent of 2006); they
// first trained it one layer at a time (restricted Boltzmann machines), then fine-tuned it
// all with backpropagation. This program trains, on the same subset and for the same number
// of passes:
//   PCA 30                     the best linear code of 30 numbers
//   shallow 784-30             one Linear each way, linear code
//   deep, sigmoid, random      Hinton's net from random weights (PyTorch's initialisation)
//   deep, sigmoid, pretrained  greedy layer-wise pretraining (shallow autoencoders standing
//                              in for the RBMs), then fine-tuning
//   deep, ReLU, random         the modern answer: units whose gradient does not vanish
// All with Adam (lr 1e-3, batch 128), BCE loss. Full mode: the first 10000 training images,
// 8 epochs (pretraining: 2 epochs per layer, then 6 of fine-tuning), all 10000 test images.
//
//   ch08_deep [--short] [--out DIR] [--data-dir DIR] [--article-equations]
#include <cstdio>

#include "08-deep-autoencoders/chapter_options.hpp"
#include "08-deep-autoencoders/ladder_helpers.hpp"
#include "autoencoders/deep.hpp"
#include "data/pca.hpp"
#include "data/pictures.hpp"

using namespace xtgrad;
using ae::DeepAutoencoder;
using nn::Activation;

namespace {

const char* kUsage =
    "usage: ch08_deep [--short] [--out DIR] [--data-dir DIR] [--article-equations]\n"
    "  trains PCA, a shallow and three deep autoencoders (784-1000-500-250-30) on Fashion-MNIST\n"
    "  --article-equations  also builds the article's layer equations literally and shows what\n"
    "                       goes wrong\n";

const std::vector<std::int64_t> kHinton = {784, 1000, 500, 250, 30};

// [book:pretrain]
// Greedy layer-wise pretraining. Stage i is a shallow autoencoder made of the deep net's own
// encoder layer i and its mirror image in the decoder; it learns to reconstruct the codes of
// stage i - 1 (the pixels for i = 0). The layers then start fine-tuning from these weights.
//   encoder: Linear 0, f 1, Linear 2, f 3, Linear 4, f 5, Linear 6, g 7  (Sequential positions)
//   decoder: Linear 0, f 1, Linear 2, f 3, Linear 4, f 5, Linear 6, sigmoid 7
void pretrain_greedy(DeepAutoencoder& deep, const Tensor& images, int epochs, std::uint64_t seed) {
  const std::vector<std::int64_t>& sizes = deep.config().sizes;
  const std::size_t stages = sizes.size() - 1;
  Tensor codes = images;  // (N, sizes[i]) the input of stage i
  for (std::size_t i = 0; i < stages; ++i) {
    auto up = (*deep.encoder)[2 * i];                   // sizes[i] -> sizes[i + 1]
    auto f = (*deep.encoder)[2 * i + 1];                // its activation (the code's g is linear)
    auto down = (*deep.decoder)[2 * (stages - 1 - i)];  // sizes[i + 1] -> sizes[i]
    nn::Sequential pair;
    pair.add(up).add(f).add(down);
    // Every target is in [0, 1] (pixels or logistic units), so BCE on logits fits them all.
    auto loss = [&](nn::Module&, const nn::Batch& b) {
      const Variable x(b.input);
      return nn::bce_with_logits_loss(pair(x), x, nn::Reduction::sum) / double(b.input.size(0));
    };
    const std::vector<double> l = ladder::train(pair, loss, codes, epochs, seed + i);
    std::printf("  pretraining stage %zu (%lld-%lld-%lld): final BCE per sample %.3f\n", i + 1,
                (long long)sizes[i], (long long)sizes[i + 1], (long long)sizes[i], l.back());
    nn::Sequential up_only;  // the next stage learns this stage's codes
    up_only.add(up).add(f);
    codes = ladder::map_rows(up_only, codes, [&](const Variable& v) { return up_only(v); });
  }
}
// [/book:pretrain]

struct Outcome {
  double test_bce, test_sse;
};

Outcome evaluate(DeepAutoencoder& model, const Tensor& test) {
  const Tensor logits = ladder::map_rows(
      model, test, [&](const Variable& v) { return model.decode_logits(model.encode(v)); });
  NoGradGuard no_grad;
  const double n = static_cast<double>(test.size(0));
  // NOTE: in float64: a float32 sum of 7.84 million terms is off in the third digit.
  const double bce = nn::bce_with_logits_loss(Variable(logits.to(DType::float64)),
                                              Variable(test.to(DType::float64)), nn::Reduction::sum)
                         .item() /
                     n;
  return {bce, ladder::sse_per_image(sigmoid(logits), test)};
}

void report(const std::string& key, const std::string& label, const std::vector<double>& losses,
            const Outcome& o) {
  std::printf("%-28s train BCE by epoch:", label.c_str());
  for (double l : losses) std::printf(" %.1f", l);
  std::printf("\n");
  std::printf("result %s_test_bce %.3f\n", key.c_str(), o.test_bce);
  std::printf("result %s_test_sse %.3f\n", key.c_str(), o.test_sse);
}

// [book:article]
// The article's equations, literally. Encoder: e = g_1(W_1 h_L + b_1) reuses the name W_1 of
// the first layer (784 -> 1000) for the last one. Decoder: h_l = f_l(W_l e + b_l) feeds the
// code e into EVERY decoder layer, so only the last of them reaches the output.
void article_equations(Generator& gen) {
  std::printf("\n--- the article's layer equations, taken literally ---\n");
  nn::Linear w1(784, 1000, gen);
  const Variable h_last(randn({4, 250}, gen));  // h_L: the last hidden layer's output
  try {
    w1(h_last);  // e = g_1(W_1 h_L + b_1)
    std::printf("encoder: W_1 h_L computed (unexpected)\n");
  } catch (const Error& e) {
    std::printf("encoder: e = g_1(W_1 h_L + b_1) fails: %s\n", e.what());
  }
  const Variable e(randn({4, 30}, gen));  // the code
  nn::Linear d250(30, 250, gen), d500(30, 500, gen), d1000(30, 1000, gen), out(1000, 784, gen);
  Variable h = sigmoid(d250(e));    // h_1 = f(W_1 e + b_1)
  h = sigmoid(d500(e));             // h_2 = f(W_2 e + b_2): h_1 is unused
  h = sigmoid(d1000(e));            // h_3 = f(W_3 e + b_3): h_2 is unused
  sum(sigmoid(out(h))).backward();  // x_hat = g_2(W h_L + b)
  for (auto [name, layer] : {std::pair<const char*, nn::Linear*>{"W (30->250)", &d250},
                             {"W (30->500)", &d500},
                             {"W (30->1000)", &d1000}}) {
    const bool reached = layer->weight.grad().defined();
    std::printf("decoder: gradient of %-13s %s\n", name,
                reached ? "reaches it" : "never reaches it: the layer cannot learn");
  }
  std::printf("result article_decoder_layers_that_learn %d\n",
              int(d250.weight.grad().defined()) + int(d500.weight.grad().defined()) +
                  int(d1000.weight.grad().defined()));
}
// [/book:article]

}  // namespace

int main(int argc, char** argv) {
  const ladder::ChapterOptions opt =
      ladder::parse_options(argc, argv, {"--article-equations"}, kUsage);
  const std::int64_t train_n = opt.short_mode ? 1000 : 10000, test_n = opt.short_mode ? 500 : 10000;
  const int epochs = opt.short_mode ? 2 : 8, pretrain_epochs = opt.short_mode ? 1 : 2;
  const ladder::Images data = ladder::load_images(opt, train_n, test_n, "ch08_deep");
  const Tensor& x = data.train.images;
  const Tensor& test = data.test.images;
  std::printf("training images %lld, test images %lld, epochs %d (pretraining %d per stage + %d)\n",
              (long long)x.size(0), (long long)test.size(0), epochs, pretrain_epochs,
              epochs - pretrain_epochs);

  // [book:pca]
  const data::PCA pca = data::PCA::fit(x);
  std::printf("result pca30_test_sse %.3f\n", pca.sse_per_image(test, 30));
  // [/book:pca]

  // [book:models]
  // {sizes, hidden f, code g}; the output is a sigmoid and the loss BCE (DeepConfig's defaults)
  Generator gen(0);
  DeepAutoencoder shallow({{784, 30}, Activation::sigmoid, Activation::identity}, gen);
  DeepAutoencoder sigmoid_random({kHinton, Activation::sigmoid, Activation::identity}, gen);
  DeepAutoencoder sigmoid_pretrained({kHinton, Activation::sigmoid, Activation::identity}, gen);
  DeepAutoencoder relu_random({kHinton, Activation::relu, Activation::identity}, gen);

  // NOTE: train, then evaluate, as two statements: the order in which C++ evaluates the
  // arguments of one call is unspecified (GCC evaluates them right to left).
  std::vector<double> losses = ladder::train(shallow, ladder::own_loss(shallow), x, epochs, 1);
  report("shallow", "shallow 784-30", losses, evaluate(shallow, test));
  losses = ladder::train(sigmoid_random, ladder::own_loss(sigmoid_random), x, epochs, 1);
  report("deep_sigmoid", "deep sigmoid, random init", losses, evaluate(sigmoid_random, test));
  pretrain_greedy(sigmoid_pretrained, x, pretrain_epochs, 10);
  losses = ladder::train(sigmoid_pretrained, ladder::own_loss(sigmoid_pretrained), x,
                         epochs - pretrain_epochs, 1);
  report("deep_pretrained", "deep sigmoid, pretrained", losses, evaluate(sigmoid_pretrained, test));
  losses = ladder::train(relu_random, ladder::own_loss(relu_random), x, epochs, 1);
  report("deep_relu", "deep ReLU, random init", losses, evaluate(relu_random, test));
  // [/book:models]

  // Rows: test images, then PCA, shallow, deep sigmoid random, pretrained, ReLU.
  const Tensor originals = test.rows(0, 10);
  std::vector<Tensor> rows = {originals, pca.reconstruct(originals, 30).to(DType::float32)};
  for (DeepAutoencoder* m : {&shallow, &sigmoid_random, &sigmoid_pretrained, &relu_random}) {
    rows.push_back(ladder::map_rows(*m, originals, [&](const Variable& v) { return (*m)(v); }));
  }
  data::save_image_grid(opt.out + "/ch08_reconstructions.png", concatenate(rows, 0), 28, 28, 10, 2);
  std::printf("wrote ch08_reconstructions.png (in --out)\n");

  if (opt.has("--article-equations")) article_equations(gen);
  return 0;
}
