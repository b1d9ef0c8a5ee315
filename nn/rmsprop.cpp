// RMSprop: divide the gradient by a running root-mean-square of recent gradients.
//
// References: G. Hinton, N. Srivastava and K. Swersky, "Neural Networks for Machine Learning",
// lecture 6e (2012), which introduced it; A. Graves, "Generating Sequences With Recurrent Neural
// Networks", arXiv:1308.0850, eqs. 38-45 (the centered variant with momentum); the algorithm box
// of https://pytorch.org/docs/1.13/generated/torch.optim.RMSprop.html. The code follows
// torch/optim/rmsprop.py (_single_tensor_rmsprop):
//
//   g = grad + lambda w                        weight decay lambda
//   v = alpha v + (1 - alpha) g^2              running mean square
//   a = alpha a + (1 - alpha) g                running mean (centered only)
//   s = sqrt(v - a^2) + eps   (centered)   or   s = sqrt(v) + eps
//   b = mu b + g / s;  w = w - lr b           with momentum mu > 0
//   w = w - lr g / s                          without
//
// NOTE: eps is added after the square root (PyTorch), not inside it (as in Hinton's slides).
#include "nn/optimizers.hpp"

#include "tensor/creation.hpp"
#include "tensor/math.hpp"

namespace xtgrad::nn {

RMSprop::RMSprop(std::vector<Variable> parameters, RMSpropOptions options)
    : Optimizer(std::move(parameters), options.lr),
      options_(options),
      square_avg_(parameters_.size()),
      momentum_buffer_(parameters_.size()),
      grad_avg_(parameters_.size()) {
  check_option(options.lr >= 0.0, "lr", options.lr, "must be >= 0");
  check_option(options.eps >= 0.0, "eps", options.eps, "must be >= 0");
  check_option(options.momentum >= 0.0, "momentum", options.momentum, "must be >= 0");
  check_option(options.weight_decay >= 0.0, "weight_decay", options.weight_decay, "must be >= 0");
  check_option(options.alpha >= 0.0, "alpha", options.alpha, "must be >= 0");
}

void RMSprop::step() {
  NoGradGuard no_grad;
  const double lr = learning_rate(), alpha = options_.alpha, mu = options_.momentum;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Variable& p = parameters_[i];
    if (!p.grad().defined()) continue;
    Tensor w = p.data();  // shares storage with the parameter: updated in place
    Tensor g = p.grad().data();
    if (!square_avg_[i].defined()) square_avg_[i] = zeros_like(w);
    if (mu > 0.0 && !momentum_buffer_[i].defined()) momentum_buffer_[i] = zeros_like(w);
    if (options_.centered && !grad_avg_[i].defined()) grad_avg_[i] = zeros_like(w);
    if (options_.weight_decay != 0.0) g = g + options_.weight_decay * w;  // g = grad + lambda w
    Tensor& v = square_avg_[i];
    v.mul_(alpha).add_(g * g, 1.0 - alpha);  // v = alpha v + (1 - alpha) g^2
    Tensor s;
    if (options_.centered) {
      Tensor& a = grad_avg_[i];
      a.mul_(alpha).add_(g, 1.0 - alpha);  // a = alpha a + (1 - alpha) g
      s = sqrt(v - a * a) + options_.eps;  // s = sqrt(v - a^2) + eps
    } else {
      s = sqrt(v) + options_.eps;  // s = sqrt(v) + eps
    }
    if (mu > 0.0) {
      Tensor& b = momentum_buffer_[i];
      b.mul_(mu).add_(g / s);  // b = mu b + g / s
      w.add_(b, -lr);          // w = w - lr b
    } else {
      w.add_(g / s, -lr);  // w = w - lr g / s
    }
  }
}

StateDict RMSprop::state_dict() const {
  StateDict state;
  save_slot(state, "square_avg", square_avg_);
  save_slot(state, "momentum_buffer", momentum_buffer_);
  save_slot(state, "grad_avg", grad_avg_);
  return state;
}

void RMSprop::load_state_dict(const StateDict& state) {
  check_state_keys(state, {"square_avg", "momentum_buffer", "grad_avg"}, {});
  square_avg_ = load_slot(state, "square_avg");
  momentum_buffer_ = load_slot(state, "momentum_buffer");
  grad_avg_ = load_slot(state, "grad_avg");
}

}  // namespace xtgrad::nn
