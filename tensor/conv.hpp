#pragma once
// Convolution and transposed convolution of images in NCHW layout: a batch of N images with C channels of H rows and W columns, (N, C, H, W).
// float32 or float64; every operand of one call has the same dtype.
//
// Legend: N batch, C input channels, O output channels, (H, W) input size, (Ho, Wo) output
// size, (kh, kw) kernel size; s stride, p padding, d dilation, each a (height, width) pair.
//
// A convolution (a cross-correlation, as in PyTorch and Keras: the kernel is not flipped):
//   y[n, o, a, b] = sum over c, i, j of w[o, c, i, j] * x[n, c, a s - p + i d, b s - p + j d]
// where x is 0 outside the image (zero padding). The output size along each axis is
//   Ho = floor((H + 2p - d (kh - 1) - 1) / s) + 1
//
// Each convolution comes twice: the fast form that the library uses, as im2col plus a matrix
// product (conv.cpp draws it), and `*_reference`, the plain loops of the formula, which stays
// the definition. tests/tensor/test_kernels_conv.cpp keeps the two in agreement.
#include <array>
#include <cstdint>

#include "tensor/tensor.hpp"

namespace xtgrad {

// A size along (height, width).
using Pair = std::array<std::int64_t, 2>;

struct Conv2dParams {
  Pair stride{1, 1};    // >= 1
  Pair padding{0, 0};   // >= 0: zeros added on each side
  Pair dilation{1, 1};  // >= 1: the gap between the kernel's taps, plus 1
};

// y = conv(x, w):   x (N, C, H, W), w (O, C, kh, kw) -> y (N, O, Ho, Wo).
// ShapeError names the op and both shapes when they do not fit, e.g.
//   conv2d: input (2, 3, 5, 5) has 3 channels, weight (4, 2, 3, 3) expects 2
Tensor conv2d(const Tensor& x, const Tensor& w, const Conv2dParams& params = {});
Tensor conv2d_reference(const Tensor& x, const Tensor& w, const Conv2dParams& params = {});

// The transposed convolution, the adjoint of x -> conv2d(x, w): every input pixel adds a copy
// of the kernel, scaled by its value, into the output, s pixels apart:
//   y[n, c, a s - p + i d, b s - p + j d] += w[o, c, i, j] * x[n, o, a, b]
//   x (N, O, H, W), w (O, C, kh, kw) -> y (N, C, Ho, Wo),
//   Ho = (H - 1) s - 2p + d (kh - 1) + output_padding + 1
// (w has PyTorch's ConvTranspose2d layout (in, out, kh, kw): the conv2d weight it is the
// transpose of). output_padding (0 <= output_padding < s) picks among the input sizes that a
// strided convolution maps to the same output size.
// NOTE: PyTorch also accepts s <= output_padding < d; then conv2d(y, w) would not give back
// x's size, and the autograd rules below rely on it, so xtgrad does not.
// It is conv2d's input gradient:
//   grad_x = conv_transpose2d(grad_y, w, params, output_padding that gives back x's size)
Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Conv2dParams& params = {},
                        Pair output_padding = {0, 0});
Tensor conv_transpose2d_reference(const Tensor& x, const Tensor& w, const Conv2dParams& params = {},
                                  Pair output_padding = {0, 0});

// conv2d's weight gradient, the correlation of the input with the output gradient:
//   grad_w[o, c, i, j] = sum over n, a, b of grad_y[n, o, a, b] * x[n, c, a s - p + i d, b s - p + j d]
//   x (N, C, H, W), grad_y (N, O, Ho, Wo), kernel (kh, kw) -> grad_w (O, C, kh, kw)
Tensor conv2d_weight_grad(const Tensor& x, const Tensor& grad_y, Pair kernel,
                          const Conv2dParams& params = {});
Tensor conv2d_weight_grad_reference(const Tensor& x, const Tensor& grad_y, Pair kernel,
                                    const Conv2dParams& params = {});

}  // namespace xtgrad
