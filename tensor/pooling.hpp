#pragma once
// Max pooling and nearest-neighbour upsampling of images in NCHW layout, (N, C, H, W), float32
// or float64: the layers between a convolutional encoder's convolutions and its decoder's.
// Each is a loop over the pixels of each (H, W) plane; no matrix product is involved.
#include "tensor/conv.hpp"

namespace xtgrad {

struct MaxPool2dParams {
  Pair kernel{2, 2};
  Pair stride{0, 0};       // {0, 0}: the kernel size (PyTorch's stride=None)
  Pair padding{0, 0};      // at most half the kernel; padded pixels are never the maximum
  bool ceil_mode = false;  // round the output size up: a last window may hang over the edge
};

// y[n, c, a, b] = max of x[n, c] over the window at (a s - p, b s - p) of size kernel.
//   x (N, C, H, W) -> values (N, C, Ho, Wo) and indices (N, C, Ho, Wo), int64: the position
//   h W + w of each maximum in its (H, W) plane, which the backward pass sends the gradient to.
//   Ho = floor((H + 2p - kh) / s) + 1, or ceil with ceil_mode, less one if the last window
//   would start in the right padding (PyTorch's rule).
// NOTE: ties go to the first maximum in the window's row-major order, and a NaN is the
// maximum once met, as in PyTorch's CPU kernel (the gradient goes where PyTorch sends it).
struct MaxPool2dResult {
  Tensor values;
  Tensor indices;
};
MaxPool2dResult max_pool2d(const Tensor& x, const MaxPool2dParams& params);

// The backward of max pooling: grad_x (of shape x_shape) is 0 except at the maxima, where
//   grad_x[n, c].flat[indices[n, c, a, b]] += grad_y[n, c, a, b]
// (overlapping windows may pick one pixel several times; the gradients add up).
Tensor max_pool2d_backward(const Tensor& grad_y, const Tensor& indices, const Shape& x_shape);
// The adjoint of max_pool2d_backward: the values of x at the recorded maxima,
//   y[n, c, a, b] = x[n, c].flat[indices[n, c, a, b]]
// (so max_pool2d(x).values == take_pooled(x, max_pool2d(x).indices)). Double backward uses it.
Tensor take_pooled(const Tensor& x, const Tensor& indices);

// Nearest-neighbour upsampling by whole factors: each pixel becomes a scale_h x scale_w block.
//   y[n, c, a, b] = x[n, c, a / scale_h, b / scale_w]     (N, C, H, W) -> (N, C, H sh, W sw)
Tensor upsample_nearest2d(const Tensor& x, Pair scale);

}  // namespace xtgrad
