// Adam and AdamW.
//
// References: D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
// arXiv:1412.6980, Algorithm 1; I. Loshchilov and F. Hutter, "Decoupled Weight Decay
// Regularization", ICLR 2019, arXiv:1711.05101, Algorithm 2 (AdamW); the algorithm boxes of
// https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html and .../torch.optim.AdamW.html.
// The code follows torch/optim/adam.py and adamw.py (_single_tensor_adam, _single_tensor_adamw):
//
//   t = t + 1
//   g = grad + lambda w                      Adam's weight decay (coupled: goes into m and v)
//   w = w - lr lambda w                      AdamW's weight decay (decoupled), instead
//   m = beta1 m + (1 - beta1) g              first moment
//   v = beta2 v + (1 - beta2) g^2            second moment
//   w = w - lr/(1 - beta1^t) m / (sqrt(v)/sqrt(1 - beta2^t) + eps)
//
// The last line is the paper's w - lr m_hat / (sqrt(v_hat) + eps), with m_hat = m/(1 - beta1^t)
// and v_hat = v/(1 - beta2^t). NOTE: eps is added to sqrt(v_hat), after the bias correction,
// as PyTorch does; the paper's "efficient version" adds it to sqrt(v), which differs early on.
// NOTE: PyTorch counts steps per parameter; here one count serves all, which differs only for
// a parameter that had no gradient at some step (it is skipped, but the count still advances).
#include "nn/optimizers.hpp"

#include <cmath>

#include "tensor/creation.hpp"
#include "tensor/fused.hpp"
#include "tensor/math.hpp"

namespace xtgrad::nn {
namespace {

// PyTorch's defaults, but for lr and weight_decay.
AdamOptions with_lr_and_decay(double lr, double weight_decay) {
  AdamOptions options;
  options.lr = lr;
  options.weight_decay = weight_decay;
  return options;
}

}  // namespace

Adam::Adam(std::vector<Variable> parameters, AdamOptions options, bool decoupled)
    : Optimizer(std::move(parameters), options.lr),
      options_(options),
      decoupled_(decoupled),
      exp_avg_(parameters_.size()),
      exp_avg_sq_(parameters_.size()) {
  check_option(options.lr >= 0.0, "lr", options.lr, "must be >= 0");
  check_option(options.eps >= 0.0, "eps", options.eps, "must be >= 0");
  check_option(0.0 <= options.beta1 && options.beta1 < 1.0, "beta1", options.beta1,
               "must be in [0, 1)");
  check_option(0.0 <= options.beta2 && options.beta2 < 1.0, "beta2", options.beta2,
               "must be in [0, 1)");
  check_option(options.weight_decay >= 0.0, "weight_decay", options.weight_decay, "must be >= 0");
}

Adam::Adam(std::vector<Variable> parameters, AdamOptions options)
    : Adam(std::move(parameters), options, /*decoupled=*/false) {}

Adam::Adam(std::vector<Variable> parameters, double lr)
    : Adam(std::move(parameters), with_lr_and_decay(lr, 0.0), /*decoupled=*/false) {}

AdamW::AdamW(std::vector<Variable> parameters, AdamOptions options)
    : Adam(std::move(parameters), options, /*decoupled=*/true) {}

AdamW::AdamW(std::vector<Variable> parameters, double lr, double weight_decay)
    : AdamW(std::move(parameters), with_lr_and_decay(lr, weight_decay)) {}

void Adam::step() {
  NoGradGuard no_grad;
  const double lr = learning_rate();
  const double beta1 = options_.beta1, beta2 = options_.beta2, lambda = options_.weight_decay;
  step_count_ += 1;  // t = t + 1
  const double t = static_cast<double>(step_count_);
  const double bias_correction1 = 1.0 - std::pow(beta1, t);  // 1 - beta1^t
  const double bias_correction2 = 1.0 - std::pow(beta2, t);  // 1 - beta2^t
  const double step_size = lr / bias_correction1;            // lr / (1 - beta1^t)
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Variable& p = parameters_[i];
    if (!p.grad().defined()) continue;
    Tensor w = p.data();  // shares storage with the parameter: updated in place
    Tensor g = p.grad().data();
    if (!exp_avg_[i].defined()) exp_avg_[i] = zeros_like(w);
    if (!exp_avg_sq_[i].defined()) exp_avg_sq_[i] = zeros_like(w);
    Tensor& m = exp_avg_[i];
    Tensor& v = exp_avg_sq_[i];
    if (decoupled_) {
      w.mul_(1.0 - lr * lambda);  // w = w - lr lambda w
    } else if (lambda != 0.0) {
      g = g + lambda * w;  // g = grad + lambda w
    }
    // m = beta1 m + (1 - beta1) g
    // v = beta2 v + (1 - beta2) g^2
    // w = w - lr m_hat / (sqrt(v_hat) + eps) = w - step_size m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    // in one pass over the four tensors (tensor/fused.hpp; adam_update_reference_ is the same
    // three lines with Tensor operations, and a test keeps the two in agreement).
    adam_update_(w, g, m, v, {beta1, beta2, options_.eps, step_size, bias_correction2});
  }
}

StateDict Adam::state_dict() const {
  StateDict state;
  save_slot(state, "exp_avg", exp_avg_);
  save_slot(state, "exp_avg_sq", exp_avg_sq_);
  state.emplace_back("step", Tensor(std::vector<std::int64_t>{step_count_}, {}));
  return state;
}

void Adam::load_state_dict(const StateDict& state) {
  check_state_keys(state, {"exp_avg", "exp_avg_sq"}, {"step"});
  exp_avg_ = load_slot(state, "exp_avg");
  exp_avg_sq_ = load_slot(state, "exp_avg_sq");
  const Tensor* step = find(state, "step");
  step_count_ = step != nullptr ? static_cast<std::int64_t>(step->item()) : 0;
}

}  // namespace xtgrad::nn
