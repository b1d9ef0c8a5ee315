#pragma once
// The first rung of the book's ladder of autoencoders, built from nn/ pieces in plain sight.
// Chapters 09-11 include this file and add one thing each:
//   08  Autoencoder          a mirrored stack of Linear layers (basic = one layer each way)
//   09  + a corruption       the denoising autoencoder wraps any Autoencoder
//   10  + a penalty          the sparse autoencoder adds beta * KL(rho || rho_hat) on the code
//   11  + a Gaussian head    the VAE samples its code and adds KL(q(z|x) || N(0, I))
//
// Legend: N batch, D = 784 pixels, H hidden units, Z code units.
//
//   encoder:  h_1 = f(x W_1^T + b_1), ..., z = g(h_{L-1} W_L^T + b_L)           (N, Z)
//   decoder:  h'_{L-1} = f(z V_L^T + c_L), ..., logits = h'_1 V_1^T + c_1      (N, D)
//   x_hat  = sigmoid(logits)
//   loss   = (1/N) sum_n sum_d -[x log x_hat + (1 - x) log(1 - x_hat)]     (BCE per image)
//
// f is the hidden activation, g the code's (identity in Hinton & Salakhutdinov 2006).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "nn/activations.hpp"
#include "nn/fit.hpp"
#include "nn/optimizers.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "nn/module.hpp"
#include "nn/sequential.hpp"
#include "tensor/all.hpp"

namespace ladder {

using namespace xtgrad;

enum class Act { identity, sigmoid, relu };

inline const char* act_name(Act a) {
  return a == Act::identity ? "identity" : a == Act::sigmoid ? "sigmoid" : "relu";
}

inline std::shared_ptr<nn::Module> make_act(Act a) {
  if (a == Act::sigmoid) return std::make_shared<nn::Sigmoid>();
  if (a == Act::relu) return std::make_shared<nn::ReLU>();
  return std::make_shared<nn::Identity>();
}

// [book:stack]
// Linear layers sizes[0] -> sizes[1] -> ... -> sizes.back(), with `hidden` after every layer
// but the last: the last layer's output is left to the caller (a code, logits, a Gaussian's
// parameters).
inline std::shared_ptr<nn::Sequential> stack(const std::vector<std::int64_t>& sizes, Act hidden,
                                             Generator& gen) {
  auto s = std::make_shared<nn::Sequential>();
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    s->add(std::make_shared<nn::Linear>(sizes[i], sizes[i + 1], gen));
    if (i + 2 < sizes.size()) s->add(make_act(hidden));
  }
  return s;
}
// [/book:stack]

// [book:autoencoder]
// sizes = {784, 1000, 500, 250, 30}: the encoder runs down the list, the decoder back up.
// sizes = {784, 32} is the basic (one-layer) autoencoder.
class Autoencoder : public nn::Module {
 public:
  Autoencoder(std::vector<std::int64_t> sizes_, Act hidden_, Act code_, Generator& gen)
      : sizes(std::move(sizes_)), hidden(hidden_), code(code_) {
    std::vector<std::int64_t> up(sizes.rbegin(), sizes.rend());
    encoder = register_module("encoder", stack(sizes, hidden, gen));
    decoder = register_module("decoder", stack(up, hidden, gen));
  }

  Variable encode(const Variable& x) {  // (N, D) -> (N, Z)
    const Variable pre = (*encoder)(x);
    return code == Act::sigmoid ? sigmoid(pre) : code == Act::relu ? relu(pre) : pre;
  }
  Variable decode_logits(const Variable& z) { return (*decoder)(z); }  // (N, Z) -> (N, D)
  Variable forward(const Variable& x) override { return sigmoid(decode_logits(encode(x))); }

  // BCE summed over pixels, averaged over images. `input` and `target` differ only when a
  // later rung corrupts the input (chapter 09).
  virtual Variable loss(const Variable& input, const Variable& target) {
    const double n = static_cast<double>(input.shape()[0]);
    return nn::bce_with_logits_loss(decode_logits(encode(input)), target, nn::Reduction::sum) / n;
  }

  std::string describe() const override {
    std::string s = "Autoencoder(";
    for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? "-" : "") + std::to_string(sizes[i]);
    return s + ", " + act_name(hidden) + " hidden, " + act_name(code) + " code)";
  }

  std::vector<std::int64_t> sizes;
  Act hidden, code;
  std::shared_ptr<nn::Sequential> encoder, decoder;
};
// [/book:autoencoder]

// The weight matrices (not the biases) of a model: the parameters named "*.weight".
std::vector<Variable> weights(const nn::Module& m) {
  std::vector<Variable> w;
  for (const auto& [name, p] : m.named_parameters()) {
    if (name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0) w.push_back(p);
  }
  return w;
}

// f(rows of x) in evaluation mode, without gradients, 1000 rows at a time: (N, ...) -> (N, ...).
template <class F>
Tensor map_rows(nn::Module& model, const Tensor& x, F f) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<Tensor> parts;
  for (std::int64_t b = 0; b < x.size(0); b += 1000) {
    parts.push_back(f(Variable(x.rows(b, std::min(b + 1000, x.size(0))))).data());
  }
  model.train(was_training);
  return concatenate(parts, 0);
}

// (1/N) sum_n ||a_n - b_n||^2 in float64: the squared error per image, PCA's measure.
inline double sse_per_image(const Tensor& a, const Tensor& b) {
  const Tensor d = a.to(DType::float64) - b.to(DType::float64);
  return sum(square(d)).item() / static_cast<double>(a.size(0));
}

inline double reconstruction_sse(Autoencoder& model, const Tensor& x) {
  return sse_per_image(map_rows(model, x, [&](const Variable& v) { return model(v); }), x);
}

// Adam (lr 1e-3 and batch 128 unless given) on `loss` over the rows of `images`, quietly: the
// per-epoch lines of nn::fit carry timings, which would change the recorded output from run to
// run. Returns the mean training loss of each epoch.
inline std::vector<double> train(nn::Module& model, const nn::BatchLoss& loss, const Tensor& images,
                                 int epochs, std::uint64_t seed, double lr = 1e-3,
                                 std::int64_t batch_size = 128) {
  nn::Adam adam(model.parameters(), lr);
  nn::TensorDataset data(images);
  nn::FitOptions options;
  options.epochs = epochs;
  options.batch_size = batch_size;
  options.seed = seed;
  options.progress = false;
  std::vector<double> losses;
  for (const nn::EpochRecord& e : nn::fit(model, loss, adam, data, nullptr, options).history) {
    losses.push_back(e.train_loss);
  }
  return losses;
}

// The autoencoder's own loss, input = target.
inline nn::BatchLoss own_loss(Autoencoder& model) {
  return [&model](nn::Module&, const nn::Batch& b) {
    const Variable x(b.input);
    return model.loss(x, x);
  };
}

}  // namespace ladder
