// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay.
//
// References: I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of
// initialization and momentum in deep learning", ICML 2013 (momentum and Nesterov's variant);
// the algorithm box of https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html, which is
// what this file follows (torch/optim/sgd.py, _single_tensor_sgd):
//
//   g = grad + lambda w                              weight decay lambda
//   b = g                                            first step
//   b = mu b + (1 - tau) g                           later steps; momentum mu, dampening tau
//   g = g + mu b   (Nesterov)    or    g = b         (plain momentum)
//   w = w - lr g
//
// NOTE: the momentum buffer starts as the first gradient itself, not as (1 - tau) g: with
// dampening, PyTorch's first step is therefore larger than the later ones would suggest.
#include "nn/optimizers.hpp"

#include "tensor/math.hpp"

namespace xtgrad::nn {

SGD::SGD(std::vector<Variable> parameters, SGDOptions options)
    : Optimizer(std::move(parameters), options.lr),
      options_(options),
      momentum_buffer_(parameters_.size()) {
  check_option(options.lr >= 0.0, "lr", options.lr, "must be >= 0");
  check_option(options.momentum >= 0.0, "momentum", options.momentum, "must be >= 0");
  check_option(options.weight_decay >= 0.0, "weight_decay", options.weight_decay, "must be >= 0");
  check_option(!options.nesterov || options.momentum > 0.0, "momentum", options.momentum,
               "Nesterov momentum needs momentum > 0");
  check_option(!options.nesterov || options.dampening == 0.0, "dampening", options.dampening,
               "Nesterov momentum needs dampening 0");
}

SGD::SGD(std::vector<Variable> parameters, double lr)
    : SGD(std::move(parameters), SGDOptions{lr}) {}

void SGD::step() {
  NoGradGuard no_grad;
  const double lr = learning_rate(), mu = options_.momentum, tau = options_.dampening;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Variable& p = parameters_[i];
    if (!p.grad().defined()) continue;
    Tensor w = p.data();  // shares storage with the parameter: updated in place
    Tensor g = p.grad().data();
    if (options_.weight_decay != 0.0) g = g + options_.weight_decay * w;  // g = grad + lambda w
    if (mu != 0.0) {
      Tensor& b = momentum_buffer_[i];
      if (!b.defined()) {
        b = g.clone();  // b = g   (first step)
      } else {
        b.mul_(mu).add_(g, 1.0 - tau);  // b = mu b + (1 - tau) g
      }
      g = options_.nesterov ? g + mu * b  // g = g + mu b   (Nesterov)
                            : b;          // g = b
    }
    w.add_(g, -lr);  // w = w - lr g
  }
}

StateDict SGD::state_dict() const {
  StateDict state;
  save_slot(state, "momentum_buffer", momentum_buffer_);
  return state;
}

void SGD::load_state_dict(const StateDict& state) {
  check_state_keys(state, {"momentum_buffer"}, {});
  momentum_buffer_ = load_slot(state, "momentum_buffer");
}

}  // namespace xtgrad::nn
