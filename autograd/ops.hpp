#pragma once
// Differentiable operations on Variables.
//
// A few are primitives with their own backward rule (autograd/primitives.hpp): add, sub, mul,
// div, pow, exp, log, log1p, sigmoid, relu, where, sum, broadcast_to, reshape, permute, matmul,
// binary_cross_entropy, and for images conv2d, conv_transpose2d, conv2d_weight_grad, max_pool2d
// and upsample_nearest2d (with their backward helpers, in autograd/conv_primitives.hpp). Some of these could be composed, but need their own rule for
// range or stability: div (b^-2 overflows), relu (keeps NaN), sigmoid and binary_cross_entropy
// (stay finite at the extremes).
// Two more are fused for speed: linear and binary_cross_entropy_with_logits do in one node and
// one pass what their composites (namespace reference, below) do in several; tests check that
// both give the same values and gradients.
// Everything else here is composed from them in ops.cpp, with no backward of its own: its
// gradient follows from the chain rule through the primitives.
//
// Shapes broadcast as for Tensors (tensor/math.hpp); a double scalar takes the Variable's dtype.
// Results that are integers or booleans (comparisons, argmax) are never differentiable.
#include "autograd/variable.hpp"
#include "tensor/conv.hpp"
#include "tensor/pooling.hpp"

namespace xtgrad {

// --- arithmetic (broadcasting) -----------------------------------------------------------------
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable neg(const Variable& x);

Variable operator+(const Variable& a, const Variable& b);
Variable operator-(const Variable& a, const Variable& b);
Variable operator*(const Variable& a, const Variable& b);
Variable operator/(const Variable& a, const Variable& b);
Variable operator-(const Variable& x);
// With a number: x * 2.0, x / 4.0, x + 1.0, x - 1.0 and 2.0 * x record one node with one input
// (MulScalar, AddScalar); 1.0 - x and 1.0 / x make the number a 0-d constant.
Variable operator+(const Variable& a, double b);
Variable operator-(const Variable& a, double b);
Variable operator*(const Variable& a, double b);
Variable operator/(const Variable& a, double b);
Variable operator+(double a, const Variable& b);
Variable operator-(double a, const Variable& b);
Variable operator*(double a, const Variable& b);
Variable operator/(double a, const Variable& b);

// --- elementwise functions -------------------------------------------------------------------------
Variable exp(const Variable& x);
Variable log(const Variable& x);
Variable log1p(const Variable& x);
Variable pow(const Variable& x, double exponent);
Variable sqrt(const Variable& x);    // pow(x, 0.5)
Variable square(const Variable& x);  // x * x
Variable sigmoid(const Variable& x);
Variable tanh(const Variable& x);      // 2 sigmoid(2x) - 1
Variable relu(const Variable& x);      // max(x, 0), NaN stays NaN: gradient 0 at 0
Variable abs(const Variable& x);       // x * sign(x): gradient 0 at 0
Variable softplus(const Variable& x);  // log(1 + e^x), stable for large |x|
Variable clamp(const Variable& x, double low, double high);  // gradient 1 inside, 0 outside
// condition ? a : b; the condition is a boolean Tensor (no gradient flows into it).
Variable where(const Tensor& condition, const Variable& a, const Variable& b);

// --- comparisons and indices (not differentiable) ------------------------------------------------
Variable operator>(const Variable& a, const Variable& b);
Variable operator<(const Variable& a, const Variable& b);
Variable operator>(const Variable& a, double b);
Variable operator<(const Variable& a, double b);
Variable argmax(const Variable& x, std::int64_t axis, bool keepdim = false);

// --- reductions --------------------------------------------------------------------------------------
Variable sum(const Variable& x);
Variable sum(const Variable& x, const Axes& axes, bool keepdim = false);
Variable mean(const Variable& x);
Variable mean(const Variable& x, const Axes& axes, bool keepdim = false);
// The maximum; on ties the gradient is shared equally among the maximal elements.
Variable max(const Variable& x, const Axes& axes, bool keepdim = false);
// log(sum(exp(x))) over axes, shifted by the maximum so that exp cannot overflow.
Variable logsumexp(const Variable& x, const Axes& axes, bool keepdim = false);
Variable softmax(const Variable& x, std::int64_t axis = -1);
Variable log_softmax(const Variable& x, std::int64_t axis = -1);

// --- shapes ------------------------------------------------------------------------------------------
Variable reshape(const Variable& x, const Shape& shape);
Variable flatten(const Variable& x);
Variable permute(const Variable& x, const Axes& axes);
Variable transpose(const Variable& x);  // 2-d
Variable broadcast_to(const Variable& x, const Shape& shape);
// Sums x down to `shape`, undoing a broadcast (the gradient of a broadcast operand).
Variable sum_to(const Variable& x, const Shape& shape);

// --- linear algebra ------------------------------------------------------------------------------------
// op(a) @ op(b) for 2-d Variables; transposes are BLAS flags (tensor/linalg.hpp).
Variable matmul(const Variable& a, const Variable& b, bool transpose_a = false,
                bool transpose_b = false);
// A fully connected layer: x (N, in), weight (out, in), bias (out,) or undefined:
// x W^T + b (N, out), one fused node (reference::linear is the composite).
Variable linear(const Variable& x, const Variable& weight, const Variable& bias);

// --- images: convolution, pooling, upsampling (NCHW; autograd/conv_primitives.hpp) -------------------
// x (N, C, H, W), weight (O, C, kh, kw), bias (O,) or undefined -> (N, O, Ho, Wo);
// the formulas and output sizes are in tensor/conv.hpp and tensor/pool.hpp.
Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias = Variable(),
                const Conv2dParams& params = {});
// x (N, O, H, W), weight (O, C, kh, kw) (PyTorch's ConvTranspose2d layout), bias (C,) or
// undefined -> (N, C, Ho, Wo), Ho = (H - 1) s - 2p + d (kh - 1) + output_padding + 1.
Variable conv_transpose2d(const Variable& x, const Variable& weight,
                          const Variable& bias = Variable(), const Conv2dParams& params = {},
                          Pair output_padding = {0, 0});
// conv2d's weight gradient for input x and output gradient grad_y: (O, C, kh, kw).
Variable conv2d_weight_grad(const Variable& x, const Variable& grad_y, Pair kernel,
                            const Conv2dParams& params = {});
// The maxima of the windows; the gradient goes to the first maximum of each window.
Variable max_pool2d(const Variable& x, const MaxPool2dParams& params);
// Each pixel repeated as a scale_h x scale_w block.
Variable upsample_nearest2d(const Variable& x, Pair scale);

// --- losses (elementwise: reduce with sum or mean) -------------------------------------------------------
// -(t log p + (1 - t) log(1 - p)) for probabilities p. As in PyTorch, each log is clamped to
// >= -100, so p = 0 or 1 gives a large finite loss, never inf or nan.
Variable binary_cross_entropy(const Variable& p, const Variable& target);
// The same loss for p = sigmoid(z), computed from the logits z without forming p:
// softplus(z) - z t, finite for any z. One fused node (reference:: below is the composite).
Variable binary_cross_entropy_with_logits(const Variable& z, const Variable& target);
// Its sum over every element (0-d), in one node: the loss of a batch with reduction sum.
Variable binary_cross_entropy_with_logits_sum(const Variable& z, const Variable& target);

// --- the composites that fused primitives replace ------------------------------------------------------
// The definitions the fast paths must agree with (tests/autograd/test_fast_paths.cpp).
namespace reference {
Variable linear(const Variable& x, const Variable& weight, const Variable& bias);  // matmul + add
Variable binary_cross_entropy_with_logits(const Variable& z,
                                          const Variable& target);  // softplus(z) - z t
}  // namespace reference

}  // namespace xtgrad
