#pragma once
// Reductions: sums, means, extremes and variances over all elements or over some axes.
//
// Over axes, the reduced axes disappear from the shape, or stay with size 1 when keepdim is
// true, which keeps the result broadcastable against the input:
//   x: (N, D)   sum(x, {0}) -> (D,)   sum(x, {1}, true) -> (N, 1)   sum(x) -> ()
//   x / sum(x, {1}, true)            // rows normalised to sum 1
#include "tensor/tensor.hpp"

namespace xtgrad {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const Axes& axes, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const Axes& axes, bool keepdim = false);
// max and min: a reduced slice that holds a NaN gives NaN (as in PyTorch); reducing over an
// empty axis is a ValueError.
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, const Axes& axes, bool keepdim = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, const Axes& axes, bool keepdim = false);
// Index of the largest element (first one on ties), as int64: over the flattened tensor,
// or along one axis. A NaN counts as larger than everything, so the index of the first NaN
// is returned (as in PyTorch and NumPy).
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdim = false);
// Variance: sum((x - mean)^2) / (n - correction). correction = 1 is the unbiased sample
// variance (PyTorch's default), 0 the population variance.
Tensor var(const Tensor& x, const Axes& axes, bool keepdim = false, std::int64_t correction = 1);

// Sums x down to `shape`, undoing a broadcast: the gradient of a broadcast operand.
//   sum_to(ones({4, 3}), {3}) == full({3}, 4);  sum_to(ones({4, 3}), {4, 1}) == full({4, 1}, 3)
// ShapeError when x's shape does not broadcast from `shape`.
Tensor sum_to(const Tensor& x, const Shape& shape);

}  // namespace xtgrad
