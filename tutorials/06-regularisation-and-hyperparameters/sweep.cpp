// Chapter 6: what each hyper-parameter does, measured. One factor at a time around a baseline
// autoencoder, on a Fashion-MNIST subset: learning rate, batch size, L2 regularisation
// strength, width, dropout and the number of hidden layers. For each run it prints the
// training and test loss at the end (both in evaluation mode: no dropout, no penalty).
//
// Legend: N batch, D = 784 pixels, W width of the hidden layers, Z = 32 code units.
//
//   baseline  784 -W-> 256 (ReLU) -> 32 (ReLU, the code) -> 256 (ReLU) -> 784 (sigmoid)
//   loss      J = (1/N) sum_n sum_d bce(x_nd, x_hat_nd)  +  lambda/2 sum_l ||W_l||^2
//             (the penalty on the weight matrices only, not the biases)
//   Adam lr 1e-3, batch 64, lambda 0, dropout 0, one hidden layer on each side of the code.
//
//   ch06_sweep [--short] [--out DIR]
//   ch06_sweep --depth [--short]     (registered as ch06_depth: 1, 2, 3 layers trained 60 epochs)
// Full mode: 2000 training and 1000 test images, 15 epochs per run. --short: 300 and 200
// images, 1 epoch, three runs (CI). Writes sweep_lr.png and sweep_l2.png to --out.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/fashion_mnist.hpp"
#include "data/plots.hpp"
#include "nn/all.hpp"

using namespace xtgrad;

namespace {

constexpr std::int64_t D = 784, Z = 32;

// [book:config]
struct Config {
  std::string factor = "baseline";  // which hyper-parameter this run varies
  double lr = 1e-3;
  std::int64_t batch = 64;
  double l2 = 0.0;  // lambda
  std::int64_t width = 256;
  double dropout = 0.0;  // probability of zeroing a hidden unit while training
  int layers = 1;        // hidden layers on each side of the code
};
// [/book:config]

// [book:model]
// encoder: `layers` times [Linear(prev, W), ReLU, Dropout], then Linear(prev, Z), ReLU.
// decoder: `layers` times [Linear(prev, W), ReLU, Dropout], then Linear(prev, D): the logits;
// the sigmoid is inside the loss (bce_with_logits), which is stable for any logit.
std::shared_ptr<nn::Sequential> make_autoencoder(const Config& c, Generator& gen) {
  auto model = std::make_shared<nn::Sequential>();
  std::uint64_t dropout_seed = 100;
  auto hidden_layers = [&](std::int64_t& prev) {
    for (int i = 0; i < c.layers; ++i) {
      model->add(std::make_shared<nn::Linear>(prev, c.width, gen));
      model->add(std::make_shared<nn::ReLU>());
      if (c.dropout > 0) model->add(std::make_shared<nn::Dropout>(c.dropout, dropout_seed++));
      prev = c.width;
    }
  };
  std::int64_t prev = D;
  hidden_layers(prev);  // encoder
  model->add(std::make_shared<nn::Linear>(prev, Z, gen));
  model->add(std::make_shared<nn::ReLU>());  // the code (N, Z)
  prev = Z;
  hidden_layers(prev);                                     // decoder
  model->add(std::make_shared<nn::Linear>(prev, D, gen));  // logits (N, D)
  return model;
}
// [/book:model]

// The weight matrices (named "<i>.weight"): what the L2 penalty shrinks.
std::vector<Variable> weights(const nn::Module& model) {
  std::vector<Variable> out;
  for (const auto& [name, p] : model.named_parameters()) {
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0) out.push_back(p);
  }
  return out;
}

// The reconstruction loss: BCE summed over the 784 pixels, averaged over the batch.
Variable reconstruction(const Variable& logits, const Variable& target) {
  return nn::bce_with_logits_loss(logits, target, nn::Reduction::sum) /
         static_cast<double>(target.data().size(0));
}

struct Outcome {
  double train, test;  // final reconstruction loss per image, evaluation mode
  std::vector<double> train_by_epoch, test_by_epoch;  // when asked for
  double seconds;
};

// [book:run]
// Trains `model` (built for `c`) for `epochs` more epochs with a fresh Adam, then measures.
Outcome train_model(nn::Sequential& model, const Config& c, const nn::TensorDataset& train,
                    const nn::TensorDataset& test, int epochs, bool curve) {
  const std::vector<Variable> penalised = weights(model);
  // J = reconstruction + lambda/2 sum ||W||^2: the cost that training minimises.
  const nn::BatchLoss cost = [&](nn::Module& m, const nn::Batch& batch) {
    const Variable x(batch.input);
    Variable j = reconstruction(m(x), x);
    if (c.l2 > 0) j = j + c.l2 * nn::l2_penalty(penalised);
    return j;
  };
  const nn::BatchLoss measure = nn::reconstruction_loss(reconstruction);  // no penalty
  nn::Adam adam(model.parameters(), c.lr);
  nn::FitOptions options;
  options.epochs = 1;
  options.batch_size = c.batch;
  options.progress = false;
  Outcome out{};
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    options.seed = static_cast<std::uint64_t>(epoch);  // a new order every epoch
    nn::fit(model, cost, adam, train, nullptr, options);
    if (curve) {
      out.train_by_epoch.push_back(nn::evaluate(model, measure, train, 500));
      out.test_by_epoch.push_back(nn::evaluate(model, measure, test, 500));
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.train = nn::evaluate(model, measure, train, 500);
  out.test = nn::evaluate(model, measure, test, 500);
  return out;
}

// A fresh model for `c`, trained and measured. The generator's seed is the same for every
// run, so runs of the same shape start from the same weights.
Outcome train_and_measure(const Config& c, const nn::TensorDataset& train,
                          const nn::TensorDataset& test, int epochs, bool curve) {
  Generator gen(7);
  const std::shared_ptr<nn::Sequential> model = make_autoencoder(c, gen);
  return train_model(*model, c, train, test, epochs, curve);
}
// [/book:run]

// The runs: the baseline, then one factor at a time.
std::vector<Config> sweep(bool short_mode) {
  std::vector<Config> runs{Config{}};
  if (short_mode) {
    Config a;
    a.factor = "l2";
    a.l2 = 1e-2;
    runs.push_back(a);
    Config b;
    b.factor = "dropout";
    b.dropout = 0.5;
    runs.push_back(b);
    return runs;
  }
  for (double lr : {1e-4, 3e-4, 3e-3, 1e-2, 3e-2}) {
    Config c;
    c.factor = "lr";
    c.lr = lr;
    runs.push_back(c);
  }
  for (std::int64_t b : {16, 256, 1024}) {
    Config c;
    c.factor = "batch";
    c.batch = b;
    runs.push_back(c);
  }
  for (double l2 : {1e-3, 1e-2, 1e-1, 1.0}) {
    Config c;
    c.factor = "l2";
    c.l2 = l2;
    runs.push_back(c);
  }
  for (std::int64_t w : {32, 64, 1024}) {
    Config c;
    c.factor = "width";
    c.width = w;
    runs.push_back(c);
  }
  for (double p : {0.1, 0.3, 0.5}) {
    Config c;
    c.factor = "dropout";
    c.dropout = p;
    runs.push_back(c);
  }
  for (int l : {0, 2, 3}) {
    Config c;
    c.factor = "layers";
    c.layers = l;
    runs.push_back(c);
  }
  return runs;
}

// A result key for a run: "<factor>_<value>", e.g. l2_0.01 or lr_0.0003.
std::string value_of(const Config& c) {
  char text[32];
  if (c.factor == "lr")
    std::snprintf(text, sizeof text, "%g", c.lr);
  else if (c.factor == "batch")
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(c.batch));
  else if (c.factor == "l2")
    std::snprintf(text, sizeof text, "%g", c.l2);
  else if (c.factor == "width")
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(c.width));
  else if (c.factor == "dropout")
    std::snprintf(text, sizeof text, "%g", c.dropout);
  else if (c.factor == "layers")
    std::snprintf(text, sizeof text, "%d", c.layers);
  else
    return "";
  return text;
}

// [book:deepen]
// A two-layer model (two hidden layers a side) that computes exactly what `shallow` (one a side)
// computes: each extra 256 -> 256 layer gets W = I and b = 0. Its input comes out of a ReLU, so
// it is >= 0, and relu(I h + 0) = h. Parameters in order, shallow: enc W b, code W b, dec W b,
// out W b; deep: enc, NEW, code, dec, NEW, out.
std::shared_ptr<nn::Sequential> deepen(const nn::Sequential& shallow) {
  Config two;
  two.layers = 2;
  Generator gen(7);
  const std::shared_ptr<nn::Sequential> deep = make_autoencoder(two, gen);
  const std::vector<Variable> from = shallow.parameters(), to = deep->parameters();
  const int source[12] = {0, 1, -1, -1, 2, 3, 4, 5, -1, -1, 6, 7};  // -1: a new layer
  for (std::size_t i = 0; i < to.size(); ++i) {
    Tensor value = to[i].data();  // shares the parameter's storage
    if (source[i] >= 0)
      value.copy_(from[static_cast<std::size_t>(source[i])].data());
    else if (value.dim() == 2)
      value.copy_(eye(value.size(0)));
    else
      value.zero_();
  }
  return deep;
}
// [/book:deepen]

// [book:depth]
// --depth: are deeper models less able to fit, as the article says? The layer runs again, four
// times longer, with the training loss every 15 epochs: a model that fits worse only because
// it trains more slowly catches up; one that cannot fit never does.
int run_depth(bool short_mode) {
  const std::int64_t n_train = short_mode ? 300 : 2000, n_test = short_mode ? 200 : 1000;
  const int epochs = short_mode ? 2 : 60, every = short_mode ? 1 : 15;
  const std::string dir = data::default_fashion_mnist_dir();
  const nn::TensorDataset train(data::load_fashion_mnist(data::Split::train, dir, n_train).images);
  const nn::TensorDataset test(data::load_fashion_mnist(data::Split::test, dir, n_test).images);
  std::printf(
      "hidden layers on each side of the code, %lld training images, BCE per image "
      "(evaluation mode) after each %d epochs\n\n",
      static_cast<long long>(n_train), every);
  std::printf("%-7s %6s %9s %9s\n", "layers", "epoch", "train", "test");
  Config one;
  one.factor = "layers";
  Generator gen(7);  // as in train_and_measure: the same start as the sweep's runs
  const std::shared_ptr<nn::Sequential> shallow = make_autoencoder(one, gen);
  for (int layers : {1, 2, 3}) {
    Config c = one;
    c.layers = layers;
    const Outcome o = layers == 1 ? train_model(*shallow, c, train, test, epochs, /*curve=*/true)
                                  : train_and_measure(c, train, test, epochs, /*curve=*/true);
    for (int e = every; e <= epochs; e += every) {
      const double tr = o.train_by_epoch[e - 1], te = o.test_by_epoch[e - 1];
      std::printf("%-7d %6d %9.2f %9.2f\n", layers, e, tr, te);
      std::printf("result depth_%d.epoch_%d.train %.2f\n", layers, e, tr);
    }
    std::printf("   [time] %.1f s\n", o.seconds);
    std::fflush(stdout);
  }

  // Capacity: the trained one-layer model, deepened without changing what it computes, then
  // both trained `every` more epochs (each with a fresh Adam, the same sample orders).
  const std::shared_ptr<nn::Sequential> deep = deepen(*shallow);
  const nn::BatchLoss measure = nn::reconstruction_loss(reconstruction);
  const double shallow_now = nn::evaluate(*shallow, measure, train, 500);
  const double deep_now = nn::evaluate(*deep, measure, train, 500);
  Config two = one;
  two.layers = 2;
  const Outcome more_shallow = train_model(*shallow, one, train, test, every, false);
  const Outcome more_deep = train_model(*deep, two, train, test, every, false);
  std::printf(
      "\nthe 1-layer model after %d epochs, and as a 2-layer model computing the same "
      "function (extra layers W = I, b = 0); then %d more epochs each:\n",
      epochs, every);
  std::printf("  %-34s %9s %9s\n", "", "train now", "after");
  std::printf("  %-34s %9.2f %9.2f\n", "1 layer, trained on", shallow_now, more_shallow.train);
  std::printf("  %-34s %9.2f %9.2f\n", "2 layers, the same function to start", deep_now,
              more_deep.train);
  std::printf("result deepened.start %.2f\nresult deepened.after %.2f\n", deep_now,
              more_deep.train);
  std::printf("result shallow.after %.2f\n", more_shallow.train);
  return 0;
}
// [/book:depth]

int run(bool short_mode, const std::string& out_dir) {
  const std::int64_t n_train = short_mode ? 300 : 2000, n_test = short_mode ? 200 : 1000;
  const int epochs = short_mode ? 1 : 15;
  const data::ImageSet train_set =
      data::load_fashion_mnist(data::Split::train, data::default_fashion_mnist_dir(), n_train);
  const data::ImageSet test_set =
      data::load_fashion_mnist(data::Split::test, data::default_fashion_mnist_dir(), n_test);
  const nn::TensorDataset train(train_set.images), test(test_set.images);
  std::printf("Fashion-MNIST: %lld training and %lld test images, %d epochs per run\n",
              static_cast<long long>(n_train), static_cast<long long>(n_test), epochs);
  std::printf("losses: BCE per image (summed over 784 pixels), evaluation mode, no penalty\n\n");
  std::printf("%-8s %-7s %8s %6s %7s %7s %6s %9s %9s %7s\n", "factor", "value", "lr", "batch",
              "lambda", "width", "drop", "train", "test", "gap");

  std::vector<std::pair<double, data::Series>> lr_curves;  // by learning rate
  data::Series l2_train{"train", {}, {}}, l2_test{"test", {}, {}};
  for (const Config& c : sweep(short_mode)) {
    const bool curve = c.factor == "baseline" || c.factor == "lr";
    const Outcome o = train_and_measure(c, train, test, epochs, curve);
    std::printf("%-8s %-7s %8.0e %6lld %7.0e %7lld %6.1f %9.2f %9.2f %7.2f   [time] %.1f s\n",
                c.factor.c_str(), value_of(c).c_str(), c.lr, static_cast<long long>(c.batch), c.l2,
                static_cast<long long>(c.width), c.dropout, o.train, o.test, o.test - o.train,
                o.seconds);
    std::fflush(stdout);
    const std::string key = c.factor == "baseline" ? "baseline" : c.factor + "_" + value_of(c);
    std::printf("result %s.train %.2f\nresult %s.test %.2f\n", key.c_str(), o.train, key.c_str(),
                o.test);
    if (curve) {
      data::Series line{
          "lr " + (c.factor == "lr" ? value_of(c) : std::string("0.001")), {}, o.test_by_epoch};
      for (int e = 1; e <= epochs; ++e) line.x.push_back(e);
      lr_curves.emplace_back(c.lr, line);
    }
    if (c.factor == "l2") {
      l2_train.x.push_back(c.l2);
      l2_train.y.push_back(o.train);
      l2_test.x.push_back(c.l2);
      l2_test.y.push_back(o.test);
    }
  }
  std::filesystem::create_directories(out_dir);
  std::sort(lr_curves.begin(), lr_curves.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<data::Series> curves;
  for (const auto& [lr, line] : lr_curves) curves.push_back(line);
  data::plot_lines(out_dir + "/sweep_lr.png", "test loss by epoch for each learning rate (Adam)",
                   "epoch", "test BCE per image", curves);
  data::plot_lines(out_dir + "/sweep_l2.png", "L2 strength lambda: the loss at the end of training",
                   "lambda", "BCE per image", {l2_train, l2_test}, true, false);
  std::printf("wrote sweep_lr.png and sweep_l2.png\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool short_mode = false, depth = false;
  std::string out_dir = ".";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--short")
      short_mode = true;
    else if (flag == "--depth")
      depth = true;
    else if (flag == "--out" && i + 1 < argc)
      out_dir = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: ch06_sweep [--short] [--depth] [--out DIR] (bad argument '%s')\n",
                   argv[i]);
      return 2;
    }
  }
  try {
    return depth ? run_depth(short_mode) : run(short_mode, out_dir);
  } catch (const xtgrad::Error& e) {
    std::fprintf(stderr, "ch06_sweep: %s\n", e.what());
    return 2;
  }
}
