// Differentiable image operations: the primitives of conv_primitives.hpp applied, and a bias
// added by broadcasting (composed: its gradient is the sum of g over N, H and W).
#include <string>

#include "autograd/conv_primitives.hpp"
#include "autograd/ops.hpp"

namespace xtgrad {

namespace p = primitives;

namespace {

// y + bias seen as (1, channels, 1, 1); no-op for an undefined bias. ShapeError names `op`.
Variable add_channel_bias(const char* op, const Variable& y, const Variable& bias,
                          const Variable& weight) {
  if (!bias.defined()) return y;
  const std::int64_t channels = y.shape()[1];
  if (bias.shape() != Shape{channels}) {
    throw ShapeError(std::string(op) + ": the bias has shape " + shape_str(bias.shape()) +
                     " but weight " + shape_str(weight.shape()) + " makes " +
                     std::to_string(channels) + " output channels");
  }
  return y + reshape(bias, {1, channels, 1, 1});
}

}  // namespace

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                const Conv2dParams& params) {
  return add_channel_bias("conv2d", apply(p::Conv2d{params}, x, weight), bias, weight);
}

Variable conv_transpose2d(const Variable& x, const Variable& weight, const Variable& bias,
                          const Conv2dParams& params, Pair output_padding) {
  return add_channel_bias("conv_transpose2d",
                          apply(p::ConvTranspose2d{params, output_padding}, x, weight), bias,
                          weight);
}

Variable conv2d_weight_grad(const Variable& x, const Variable& grad_y, Pair kernel,
                            const Conv2dParams& params) {
  return apply(p::Conv2dWeightGrad{kernel, params}, x, grad_y);
}

Variable max_pool2d(const Variable& x, const MaxPool2dParams& params) {
  return apply(p::MaxPool2d{params, {}, {}}, x);
}

Variable upsample_nearest2d(const Variable& x, Pair scale) {
  return apply(p::UpsampleNearest2d{scale}, x);
}

}  // namespace xtgrad
