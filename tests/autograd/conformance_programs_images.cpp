// The conformance group "images": convolution, transposed convolution, max pooling (strides,
// padding, dilation, ceil_mode, ties) and upsampling, each mirroring the PyTorch program of
// the same name in tests/autograd/conformance/make_conformance.py.
#include "conformance_programs.hpp"

namespace xtgrad::conformance {

namespace {

Conv2dParams conv(Pair stride, Pair padding, Pair dilation = {1, 1}) {
  return {stride, padding, dilation};
}

// F.max_pool2d(x, kernel, stride, padding, ceil_mode); stride {0, 0} is PyTorch's None.
MaxPool2dParams pool(Pair kernel, Pair stride = {0, 0}, Pair padding = {0, 0},
                     bool ceil_mode = false) {
  return {kernel, stride, padding, ceil_mode};
}

// The gradients of y with create_graph, for differentiating again.
std::vector<Variable> grads_with_graph(const Variable& y, const std::vector<Variable>& inputs) {
  return grad({y}, inputs, {}, false, /*create_graph=*/true);
}

}  // namespace

void images(Registry& r) {
  r.group = "images";
  r.op("conv2d", [](In in) { return conv2d(in["x"], in["w"], in["b"]); });
  r.op("conv2d_stride_padding", [](In in) {
    return conv2d(in["x"], in["w"], in["b"], conv({2, 3}, {1, 2}));
  });
  r.op("conv2d_dilation", [](In in) {
    return conv2d(in["x"], in["w"], Variable(), conv({1, 2}, {2, 2}, {2, 3}));
  });
  r.op("conv2d_same_padding", [](In in) {
    return conv2d(in["x"], in["w"], in["b"], conv({1, 1}, {1, 1}));
  });
  r.op("conv_transpose2d", [](In in) { return conv_transpose2d(in["x"], in["w"], in["b"]); });
  r.op("conv_transpose2d_stride_output_padding", [](In in) {
    return conv_transpose2d(in["x"], in["w"], in["b"], conv({2, 3}, {1, 0}), {1, 2});
  });
  r.op("conv_transpose2d_dilation", [](In in) {
    return conv_transpose2d(in["x"], in["w"], Variable(), conv({2, 2}, {1, 1}, {2, 1}));
  });
  r.op("max_pool2d", [](In in) { return max_pool2d(in["x"], pool({2, 2})); });
  r.op("max_pool2d_stride_padding", [](In in) {
    return max_pool2d(in["x"], pool({3, 3}, {2, 2}, {1, 1}));
  });
  r.op("max_pool2d_ceil_mode", [](In in) {
    return max_pool2d(in["x"], pool({2, 3}, {2, 2}, {0, 0}, true));
  });
  r.op("max_pool2d_ceil_mode_padding", [](In in) {
    return max_pool2d(in["x"], pool({3, 3}, {2, 2}, {1, 1}, true));
  });
  // Ties: the whole gradient of a window goes to its first maximum, as in PyTorch.
  r.op("max_pool2d_ties", [](In in) {
    return max_pool2d(in["x"], pool({2, 2}, {0, 0}, {0, 0}, true));
  });
  r.op("max_pool2d_ties_overlapping", [](In in) {
    return max_pool2d(in["x"], pool({2, 2}, {1, 1}));
  });
  r.op("upsample_nearest2d", [](In in) { return upsample_nearest2d(in["x"], {2, 3}); });
  r.op("conv_autoencoder_bce", [](In in) {
    const Variable h = relu(conv2d(in["x"], in["w1"], in["b1"], conv({1, 1}, {1, 1})));
    const Variable code = max_pool2d(h, pool({2, 2}));     // (2, 3, 3, 3)
    const Variable up = upsample_nearest2d(code, {2, 2});  // (2, 3, 6, 6)
    const Variable p = sigmoid(conv2d(up, in["w2"], in["b2"], conv({1, 1}, {1, 1})));
    return mean(binary_cross_entropy(p, in["x"]));
  });
  r.semantic("second_grad_conv2d", [](In in) {
    const Variable y = conv2d(in["x"], in["w"], Variable(), conv({2, 2}, {1, 1}, {1, 2}));
    const Variable loss = sum(square(tanh(y)));
    const std::vector<Variable> g = grads_with_graph(loss, {in["x"], in["w"]});
    (sum(g[0] * g[0]) + sum(g[1] * g[1])).backward();
    return Values{{"loss", loss}, {"gx", g[0]}, {"gw", g[1]}};
  });
  r.semantic("second_grad_pool_upsample_transpose", [](In in) {
    const Variable up = upsample_nearest2d(max_pool2d(tanh(in["x"]), pool({2, 2})), {2, 2});
    const Variable loss =
        sum(sigmoid(conv_transpose2d(up, in["w"], Variable(), conv({2, 2}, {1, 1}), {1, 1})));
    const std::vector<Variable> g = grads_with_graph(loss, {in["x"], in["w"]});
    (sum(g[0] * g[0]) + sum(g[1] * g[1])).backward();
    return Values{{"loss", loss}, {"gx", g[0]}, {"gw", g[1]}};
  });
}

}  // namespace xtgrad::conformance
