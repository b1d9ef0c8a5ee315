#pragma once
// A small fit() problem for the fit tests: a validation set that disagrees with the training
// set, so that the validation loss falls, then rises, and early stopping has a best epoch to
// find.
//
// Training data follows y = 2 x + 1, validation data y = 1.5 x + 0.75. On their way from the
// initial values (|w|, |b| <= 1) to (2, 1), the weights pass near (1.5, 0.75): the validation
// loss falls for 9 epochs, then rises for good. Every run starts from the same weights and
// sample order, so a run of k epochs reproduces the first k epochs of a longer one bit for bit.
#include <vector>

#include "nn/data.hpp"
#include "nn/fit.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "nn/optimizers.hpp"
#include "tensor/random.hpp"

namespace xtgrad::testing {

inline const nn::BatchLoss mse = nn::reconstruction_loss(
    [](const Variable& output, const Variable& target) { return nn::mse_loss(output, target); });

// w, then b.
inline std::vector<float> weights_of(const nn::Linear& model) {
  std::vector<float> w = model.weight.data().to_vector<float>();
  for (float b : model.bias.data().to_vector<float>()) w.push_back(b);
  return w;
}

constexpr double kLearningRate = 0.01;  // SGD, 4 steps per epoch: a slow, smooth path

struct Disagreeing {
  nn::TensorDataset train, validation;
};

inline Disagreeing disagreeing_data() {
  Generator gen(5);
  const Tensor x = randn({64, 1}, gen);
  const Tensor x_val = randn({32, 1}, gen);
  return {nn::TensorDataset(x, x * 2.0 + 1.0), nn::TensorDataset(x_val, x_val * 1.5 + 0.75)};
}

inline nn::FitOptions disagreeing_options(int epochs) {
  nn::FitOptions options;
  options.epochs = epochs;
  options.batch_size = 16;
  options.seed = 2;
  options.progress = false;
  return options;
}

struct Run {
  nn::FitResult result;
  std::vector<float> weights;  // w, b after fit
};

// A Linear(1, 1) from the same initial weights, trained by SGD on the disagreeing data.
inline Run fit_disagreeing(const nn::FitOptions& options) {
  const Disagreeing data = disagreeing_data();
  Generator init(11);
  nn::Linear model(1, 1, init);
  nn::SGD optimizer(model.parameters(), kLearningRate);
  Run run;
  run.result = nn::fit(model, mse, optimizer, data.train, &data.validation, options);
  run.weights = weights_of(model);
  return run;
}

// The weights after exactly `epochs` epochs, without early stopping.
inline std::vector<float> weights_after(int epochs) {
  return fit_disagreeing(disagreeing_options(epochs)).weights;
}

}  // namespace xtgrad::testing
