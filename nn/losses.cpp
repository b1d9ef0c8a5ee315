#include "nn/losses.hpp"

#include <sstream>

#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::nn {

namespace {

Variable reduce(const Variable& values, Reduction r) {
  switch (r) {
    case Reduction::none:
      return values;
    case Reduction::mean:
      return mean(values);
    case Reduction::sum:
      return sum(values);
  }
  return values;
}

void check_same_shape(const char* op, const Variable& pred, const Variable& target) {
  if (pred.shape() != target.shape()) {
    throw ShapeError(std::string(op) + ": prediction " + shape_str(pred.shape()) + " and target " +
                     shape_str(target.shape()) + " must have the same shape");
  }
}

// labels (N,) int64 in [0, C) as a boolean one-hot mask (N, C).
Tensor one_hot(const char* op, const Tensor& labels, std::int64_t n, std::int64_t classes) {
  if (labels.dtype() != DType::int64) {
    throw DTypeError(std::string(op) + ": labels must be int64, got " + dtype_name(labels.dtype()));
  }
  if (labels.shape() != Shape{n}) {
    throw ShapeError(std::string(op) + ": labels must have shape (" + std::to_string(n) +
                     ",), got " + shape_str(labels.shape()));
  }
  Tensor hot = zeros({n, classes}, DType::boolean);
  bool* h = hot.data<bool>();
  const std::int64_t* l = labels.data<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    if (l[i] < 0 || l[i] >= classes) {
      throw IndexError(std::string(op) + ": label " + std::to_string(l[i]) + " of sample " +
                       std::to_string(i) + " is outside [0, " + std::to_string(classes) + ")");
    }
    h[i * classes + l[i]] = true;
  }
  return hot;
}

// -log_probs[n, labels[n]] per sample (N,), from log_probs (N, C); `op` names the loss in errors.
Variable pick_labels(const char* op, const Variable& log_probs, const Tensor& labels) {
  const Tensor hot = one_hot(op, labels, log_probs.shape()[0], log_probs.shape()[1]);  // (N, C)
  // NOTE: pick the label's entry with where, not by multiplying with the one-hot: a
  // log-probability of -inf elsewhere would give -inf * 0 = NaN.
  const Variable zero(zeros({}, log_probs.dtype()));
  return -sum(where(hot, log_probs, zero), {1});  // (N,)
}

}  // namespace

Variable mse_loss(const Variable& pred, const Variable& target, Reduction r) {
  check_same_shape("mse_loss", pred, target);
  return reduce(square(pred - target), r);
}

Variable l1_loss(const Variable& pred, const Variable& target, Reduction r) {
  check_same_shape("l1_loss", pred, target);
  return reduce(abs(pred - target), r);
}

Variable bce_loss(const Variable& prob, const Variable& target, Reduction r) {
  check_same_shape("bce_loss", prob, target);
  return reduce(binary_cross_entropy(prob, target), r);
}

Variable bce_with_logits_loss(const Variable& logits, const Variable& target, Reduction r) {
  check_same_shape("bce_with_logits_loss", logits, target);
  // The sum in the same pass as the loss: no (N, D) tensor of losses, nor of its gradient.
  if (r == Reduction::sum) return binary_cross_entropy_with_logits_sum(logits, target);
  if (r == Reduction::mean)
    return binary_cross_entropy_with_logits_sum(logits, target) /
           static_cast<double>(logits.numel());
  return binary_cross_entropy_with_logits(logits, target);
}

Variable nll_loss(const Variable& log_probs, const Tensor& labels, Reduction r) {
  if (log_probs.dim() != 2) {
    throw ShapeError("nll_loss: expected log-probabilities (N, C), got " +
                     shape_str(log_probs.shape()));
  }
  return reduce(pick_labels("nll_loss", log_probs, labels), r);
}

Variable cross_entropy_loss(const Variable& logits, const Tensor& labels, Reduction r) {
  if (logits.dim() != 2) {
    throw ShapeError("cross_entropy_loss: expected logits (N, C), got " +
                     shape_str(logits.shape()));
  }
  return reduce(pick_labels("cross_entropy_loss", log_softmax(logits, 1), labels), r);
}

Variable kl_normal_loss(const Variable& mu, const Variable& logvar, Reduction r) {
  check_same_shape("kl_normal_loss", mu, logvar);
  if (mu.dim() != 2) {
    throw ShapeError("kl_normal_loss: expected (N, Z), got " + shape_str(mu.shape()));
  }
  const Variable per_sample = -0.5 * sum(1.0 + logvar - square(mu) - exp(logvar), {1});  // (N,)
  return reduce(per_sample, r);
}

void check_sparsity_target(double rho, const std::string& where) {
  if (rho > 0.0 && rho < 1.0) return;  // false for NaN
  std::ostringstream shown;
  shown << rho;
  throw ValueError(where + ": rho must be in (0, 1), got " + shown.str());
}

Variable kl_sparsity_loss(const Variable& activations, double rho, Reduction r) {
  check_sparsity_target(rho, "kl_sparsity_loss");
  if (activations.dim() != 2) {
    throw ShapeError("kl_sparsity_loss: expected activations (N, H), got " +
                     shape_str(activations.shape()));
  }
  const Variable rho_hat = mean(activations, {0});  // (H,)
  const Variable kl = rho * log(rho / rho_hat) + (1.0 - rho) * log((1.0 - rho) / (1.0 - rho_hat));
  return reduce(kl, r);
}

Variable l1_activity_loss(const Variable& activations, Reduction r) {
  return reduce(abs(activations), r);
}

Variable l2_penalty(const std::vector<Variable>& parameters) {
  if (parameters.empty()) {
    throw ValueError("l2_penalty: no parameters given");
  }
  Variable total = sum(square(parameters.front()));
  for (std::size_t i = 1; i < parameters.size(); ++i) total = total + sum(square(parameters[i]));
  return 0.5 * total;
}

}  // namespace xtgrad::nn
