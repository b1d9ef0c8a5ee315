// Adagrad: per-coordinate step sizes that shrink with the sum of all past squared gradients.
//
// References: J. Duchi, E. Hazan and Y. Singer, "Adaptive Subgradient Methods for Online
// Learning and Stochastic Optimization", JMLR 12 (2011), eq. (1) with a diagonal matrix; the
// algorithm box of https://pytorch.org/docs/1.13/generated/torch.optim.Adagrad.html. The code
// follows torch/optim/adagrad.py (_single_tensor_adagrad):
//
//   t = t + 1
//   lr_t = lr / (1 + (t - 1) eta)              learning-rate decay eta
//   g = grad + lambda w                        weight decay lambda
//   s = s + g^2                                s starts at initial_accumulator_value
//   w = w - lr_t g / (sqrt(s) + eps)
//
// NOTE: PyTorch counts steps per parameter; here one count serves all, which differs only for
// a parameter that had no gradient at some step (it is skipped, but the count still advances).
#include "nn/optimizers.hpp"

#include "tensor/creation.hpp"
#include "tensor/math.hpp"

namespace xtgrad::nn {

Adagrad::Adagrad(std::vector<Variable> parameters, AdagradOptions options)
    : Optimizer(std::move(parameters), options.lr), options_(options), sum_(parameters_.size()) {
  check_option(options.lr >= 0.0, "lr", options.lr, "must be >= 0");
  check_option(options.lr_decay >= 0.0, "lr_decay", options.lr_decay, "must be >= 0");
  check_option(options.weight_decay >= 0.0, "weight_decay", options.weight_decay, "must be >= 0");
  check_option(options.initial_accumulator_value >= 0.0, "initial_accumulator_value",
               options.initial_accumulator_value, "must be >= 0");
  check_option(options.eps >= 0.0, "eps", options.eps, "must be >= 0");
}

void Adagrad::step() {
  NoGradGuard no_grad;
  step_count_ += 1;  // t = t + 1
  const double t = static_cast<double>(step_count_);
  const double lr = learning_rate();
  const double lr_t = lr / (1.0 + (t - 1.0) * options_.lr_decay);  // lr / (1 + (t - 1) eta)
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Variable& p = parameters_[i];
    if (!p.grad().defined()) continue;
    Tensor w = p.data();  // shares storage with the parameter: updated in place
    Tensor g = p.grad().data();
    if (!sum_[i].defined()) sum_[i] = full_like(w, options_.initial_accumulator_value);
    if (options_.weight_decay != 0.0) g = g + options_.weight_decay * w;  // g = grad + lambda w
    Tensor& s = sum_[i];
    s.add_(g * g);                                // s = s + g^2
    w.add_(g / (sqrt(s) + options_.eps), -lr_t);  // w = w - lr_t g / (sqrt(s) + eps)
  }
}

StateDict Adagrad::state_dict() const {
  StateDict state;
  save_slot(state, "sum", sum_);
  state.emplace_back("step", Tensor(std::vector<std::int64_t>{step_count_}, {}));
  return state;
}

void Adagrad::load_state_dict(const StateDict& state) {
  check_state_keys(state, {"sum"}, {"step"});
  sum_ = load_slot(state, "sum");
  const Tensor* step = find(state, "step");
  step_count_ = step != nullptr ? static_cast<std::int64_t>(step->item()) : 0;
}

}  // namespace xtgrad::nn
