#pragma once
// The primitives of convolutional networks, in the style of primitives.hpp: each forward on
// Tensors (tensor/conv.hpp, tensor/pooling.hpp) beside its backward on Variables, the formula and
// its derivation above. Legend: N batch, C input channels, O output channels, (H, W) input and
// (Ho, Wo) output sizes, (kh, kw) kernel; s stride, p padding, d dilation. Write
//   X(a, i) = a s - p + i d
// for the input row that output row a reads through kernel tap i (the same along columns).
//
// Every backward rule below is again one of these primitives, so recording backward
// (create_graph) gives second derivatives: a convolution is bilinear in its two operands, and
// conv2d, conv_transpose2d and conv2d_weight_grad are each other's derivatives; max pooling's
// backward (a scatter) and take_pooled (a gather) are each other's adjoints.
#include "autograd/function.hpp"
#include "autograd/ops.hpp"
#include "tensor/conv.hpp"
#include "tensor/pooling.hpp"

namespace xtgrad::primitives {

// The output_padding with which conv_transpose2d maps a convolution's output (Ho, Wo) back to
// the input size (H, W) exactly: the rows of x past the last window that a stride skips.
inline Pair output_padding_for(const Shape& x_shape, const Shape& y_shape, Pair kernel,
                               const Conv2dParams& p) {
  Pair padding{};
  for (int k = 0; k < 2; ++k) {
    const std::int64_t reached =
        (y_shape[2 + k] - 1) * p.stride[k] - 2 * p.padding[k] + p.dilation[k] * (kernel[k] - 1) + 1;
    padding[k] = x_shape[2 + k] - reached;
  }
  return padding;
}

// [book:conv2d_primitive]
// y = conv2d(x, w)       y[n, o, a, b] = sum over c, i, j of w[o, c, i, j] x[n, c, X(a, i), X(b, j)]
// y is linear in x and in w, so each gradient collects, for every input element, the output
// gradients it was multiplied into:
//   grad_x[n, c, h, v] = sum over o, a, b, i, j with X(a, i) = h, X(b, j) = v of g[n, o, a, b] w[o, c, i, j]
//                      = conv_transpose2d(g, w): every output gradient spreads the kernel back
//                        over the pixels it read (with the output padding that gives back (H, W));
//   grad_w[o, c, i, j] = sum over n, a, b of g[n, o, a, b] x[n, c, X(a, i), X(b, j)]
//                      = conv2d_weight_grad(x, g): the correlation of the input with g.
struct Conv2d {
  static constexpr const char* name = "conv2d";
  Conv2dParams params;
  Tensor forward(Context& ctx, const Variable& x, const Variable& w) {
    ctx.save(x);  // grad_w needs x, grad_x needs w
    ctx.save(w);
    return xtgrad::conv2d(x.data(), w.data(), params);
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable x = ctx.saved(0);
    const Variable w = ctx.saved(1);
    const Pair kernel{w.shape()[2], w.shape()[3]};
    Variable grad_x, grad_w;
    if (ctx.needs_input_grad(0)) {
      grad_x = conv_transpose2d(g, w, Variable(), params,
                                output_padding_for(x.shape(), g.shape(), kernel, params));
    }
    if (ctx.needs_input_grad(1)) grad_w = conv2d_weight_grad(x, g, kernel, params);
    return {grad_x, grad_w};
  }
};
// [/book:conv2d_primitive]

// y = conv_transpose2d(x, w)   x (N, O, H, W), w (O, C, kh, kw) -> y (N, C, Ho, Wo):
//   y[n, c, X(a, i), X(b, j)] += w[o, c, i, j] x[n, o, a, b]
// It is the adjoint of conv2d in its input: <conv_transpose2d(x, w), G> = <x, conv2d(G, w)>.
//   grad_x = conv2d(g, w)                  (read that identity with G = g)
//   grad_w = conv2d_weight_grad(g, x)      (g plays the convolution's input, x its output gradient)
struct ConvTranspose2d {
  static constexpr const char* name = "conv_transpose2d";
  Conv2dParams params;
  Pair output_padding;
  Tensor forward(Context& ctx, const Variable& x, const Variable& w) {
    ctx.save(x);
    ctx.save(w);
    return xtgrad::conv_transpose2d(x.data(), w.data(), params, output_padding);
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable x = ctx.saved(0);
    const Variable w = ctx.saved(1);
    const Pair kernel{w.shape()[2], w.shape()[3]};
    return {ctx.needs_input_grad(0) ? conv2d(g, w, Variable(), params) : Variable(),
            ctx.needs_input_grad(1) ? conv2d_weight_grad(g, x, kernel, params) : Variable()};
  }
};

// gw = conv2d_weight_grad(x, gy)    gw[o, c, i, j] = sum over n, a, b of gy[n, o, a, b] x[n, c, X(a, i), X(b, j)]
// (conv2d's weight gradient, as an op so that it can be differentiated in turn.) With G the
// gradient of gw, <gw, G> = <gy, conv2d(x, G)> = <x, conv_transpose2d(gy, G)>, so
//   grad_x = conv_transpose2d(gy, G)        (with the output padding that gives back (H, W))
//   grad_gy = conv2d(x, G)
struct Conv2dWeightGrad {
  static constexpr const char* name = "conv2d_weight_grad";
  Pair kernel;
  Conv2dParams params;
  Tensor forward(Context& ctx, const Variable& x, const Variable& gy) {
    ctx.save(x);
    ctx.save(gy);
    return xtgrad::conv2d_weight_grad(x.data(), gy.data(), kernel, params);
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable x = ctx.saved(0);
    const Variable gy = ctx.saved(1);
    Variable grad_x, grad_gy;
    if (ctx.needs_input_grad(0)) {
      grad_x = conv_transpose2d(gy, g, Variable(), params,
                                output_padding_for(x.shape(), gy.shape(), kernel, params));
    }
    if (ctx.needs_input_grad(1)) grad_gy = conv2d(x, g, Variable(), params);
    return {grad_x, grad_gy};
  }
};

// y[n, c, a, b] = x[n, c].flat[index[n, c, a, b]], the maximum of window (a, b)
//   grad_x = g put back at the maxima (max_pool2d_backward), 0 elsewhere
// NOTE: on ties the whole gradient goes to the first maximum in the window (PyTorch's rule),
// not shared as by max() over axes: the index is recorded in forward.
struct MaxPool2d {
  static constexpr const char* name = "max_pool2d";
  MaxPool2dParams params;
  Tensor indices;  // int64 (N, C, Ho, Wo), from forward
  Shape x_shape;
  Tensor forward(Context&, const Variable& x) {
    x_shape = x.shape();
    MaxPool2dResult pooled = xtgrad::max_pool2d(x.data(), params);
    indices = pooled.indices;
    return pooled.values;
  }
  Grads backward(Context&, const Variable& g);  // below: it applies MaxPool2dBackward
};

// y = max_pool2d_backward(g)   y[n, c].flat[index] += g[n, c, a, b]   (a scatter, linear in g)
//   grad_g = take_pooled(G): each g element was added at its index, so it reads G there.
struct MaxPool2dBackward {
  static constexpr const char* name = "max_pool2d_backward";
  Tensor indices;
  Shape x_shape;
  Tensor forward(Context&, const Variable& g) {
    return xtgrad::max_pool2d_backward(g.data(), indices, x_shape);
  }
  Grads backward(Context&, const Variable& g);  // below: it applies TakePooled
};

// y = take_pooled(x)   y[n, c, a, b] = x[n, c].flat[index[n, c, a, b]]   (a gather)
//   grad_x = max_pool2d_backward(g): the adjoint of a gather is the scatter-add.
struct TakePooled {
  static constexpr const char* name = "take_pooled";
  Tensor indices;
  Shape x_shape;
  Tensor forward(Context&, const Variable& x) {
    x_shape = x.shape();
    return xtgrad::take_pooled(x.data(), indices);
  }
  Grads backward(Context&, const Variable& g) {
    return {apply(MaxPool2dBackward{indices, x_shape}, g)};
  }
};

inline Grads MaxPool2d::backward(Context&, const Variable& g) {
  return {apply(MaxPool2dBackward{indices, x_shape}, g)};
}
inline Grads MaxPool2dBackward::backward(Context&, const Variable& g) {
  return {apply(TakePooled{indices, {}}, g)};
}

// y[n, c, a, b] = x[n, c, a / sh, b / sw]      (each pixel becomes an sh x sw block)
//   grad_x[n, c, h, v] = the sum of g over the block of (h, v):
//     reshape g (N, C, H sh, W sw) to (N, C, H, sh, W, sw) and sum axes 3 and 5
// (composed from reshape and sum, whose own backward rules give the second derivative).
struct UpsampleNearest2d {
  static constexpr const char* name = "upsample_nearest2d";
  Pair scale;
  Tensor forward(Context&, const Variable& x) {
    return xtgrad::upsample_nearest2d(x.data(), scale);
  }
  Grads backward(Context&, const Variable& g) {
    const Shape& s = g.shape();
    const Shape blocks{s[0], s[1], s[2] / scale[0], scale[0], s[3] / scale[1], scale[1]};
    return {sum(reshape(g, blocks), {3, 5})};
  }
};

}  // namespace xtgrad::primitives
