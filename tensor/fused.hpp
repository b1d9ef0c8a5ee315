#pragma once
// Fused kernels: one pass over memory for what a composite of ops does in several.
//
// A training step spends most of its time outside the matrix products, in elementwise passes
// that each allocate a tensor, write it and read it back (bench/README.md has the profiles).
// These kernels do such a chain in one loop. Each has a reference: the composite it replaces,
// which stays the definition (autograd/primitives.hpp names it beside the fast path), and
// tests/tensor/test_kernels_fused.cpp checks each against a float64 reference, special values
// included, at the host and the baseline instruction-set level.
//
// All take float32 or float64 tensors of one dtype, and operands of the same shape (no
// broadcasting) unless said: the callers fall back to the composite otherwise.
#include "tensor/tensor.hpp"

namespace xtgrad {

// relu's input gradient from its output y:   grad_x = y > 0 ? grad_y : 0
// reference: where(y <= 0, 0, grad_y). A NaN in y passes grad_y, as in PyTorch.
Tensor relu_backward(const Tensor& grad_y, const Tensor& y);

// Binary cross-entropy of the logits z against targets t, element by element:
//   l = -(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))) = max(z, 0) - z t + log(1 + e^-|z|)
// reference: softplus(z) - z * t. e^-|z| <= 1 never overflows.
Tensor bce_with_logits(const Tensor& z, const Tensor& t);
// The sum of the same l over every element, as a 0-d tensor (accumulated in float64).
Tensor bce_with_logits_sum(const Tensor& z, const Tensor& t);
// Its gradient with respect to z:   grad_z = g (sigmoid(z) - t)
// g has z's shape, or is 0-d (the gradient of the sum). reference: g * (sigmoid(z) - t).
Tensor bce_with_logits_backward(const Tensor& g, const Tensor& z, const Tensor& t);

// The sum of x over its first `axes` axes (all of them: a 0-d tensor), seen as rows of a
// matrix: out[j] = sum over rows i of x[i, j], each column accumulated in float64 and rounded
// once. reduce.cpp's sum calls it whenever the reduced axes are leading ones (a bias gradient
// sums axis 0; a loss sums everything): one pass over x, vectorised along the rows.
// reference: xt::sum, which reduce.cpp uses for the other axes.
Tensor sum_leading_axes(const Tensor& x, std::int64_t axes);

// One Adam step on a parameter w, in place, given its gradient g and the moments m and v
// (all the same shape and dtype). With beta1, beta2, eps and the step's
//   step_size = lr / (1 - beta1^t)   and   bias_correction2 = 1 - beta2^t:
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   w = w - step_size m / (sqrt(v) / sqrt(bias_correction2) + eps)
// nn::Adam calls it; adam_update_reference_ is the same with Tensor operations, a pass each.
struct AdamUpdate {
  double beta1, beta2, eps, step_size, bias_correction2;
};
void adam_update_(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, const AdamUpdate& u);
void adam_update_reference_(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, const AdamUpdate& u);

}  // namespace xtgrad
