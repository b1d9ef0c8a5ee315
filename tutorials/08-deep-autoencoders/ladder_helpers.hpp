#pragma once
// What the programs of chapters 08-11 share besides their command line (chapter_options.hpp):
// quiet training, batched evaluation and the squared error per image. The models themselves
// are the library's (autoencoders/: ae::DeepAutoencoder, ae::DenoisingAutoencoder,
// ae::SparseAutoencoder, ae::VariationalAutoencoder); these helpers only train and measure them.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "autoencoders/autoencoder.hpp"
#include "autograd/ops.hpp"
#include "nn/activations.hpp"
#include "nn/fit.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "nn/module.hpp"
#include "nn/optimizers.hpp"
#include "nn/sequential.hpp"
#include "tensor/all.hpp"

namespace ladder {

using namespace xtgrad;

// The weight matrices (not the biases) of a model: the parameters named "*.weight".
inline std::vector<Variable> weights(const nn::Module& m) {
  std::vector<Variable> w;
  for (const auto& [name, p] : m.named_parameters()) {
    if (name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0) w.push_back(p);
  }
  return w;
}

// f(rows of x) in evaluation mode, without gradients, 1000 rows at a time: (N, ...) -> (N, ...).
template <class F>
Tensor map_rows(nn::Module& model, const Tensor& x, F f) {
  const nn::EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;
  std::vector<Tensor> parts;
  for (std::int64_t b = 0; b < x.size(0); b += 1000) {
    parts.push_back(f(Variable(x.rows(b, std::min(b + 1000, x.size(0))))).data());
  }
  return concatenate(parts, 0);
}

// (1/N) sum_n ||a_n - b_n||^2 in float64: the squared error per image, PCA's measure.
inline double sse_per_image(const Tensor& a, const Tensor& b) {
  const Tensor d = a.to(DType::float64) - b.to(DType::float64);
  return sum(square(d)).item() / static_cast<double>(a.size(0));
}

// The squared error per image of the model's reconstructions (its forward) of x.
inline double reconstruction_sse(nn::Module& model, const Tensor& x) {
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

// The autoencoder's own objective (Autoencoder::loss: the input is the target, unless a model
// such as the denoising one corrupts it first).
inline nn::BatchLoss own_loss(ae::Autoencoder& model) {
  return [&model](nn::Module&, const nn::Batch& b) { return model.loss(b); };
}

}  // namespace ladder
