// The conformance programs in xtgrad. Each mirrors the PyTorch program of the same name in
// tests/autograd/conformance/make_conformance.py, in the same groups and order: change both
// together and rerun the script. Inputs come from the data file (in["x"]); the test compares
// what a program returns and every input's grad() afterwards with PyTorch's. The groups
// semantics and higher_order are in conformance_programs_semantics.cpp, images in
// conformance_programs_images.cpp.
#include "conformance_programs.hpp"

#include <stdexcept>

namespace xtgrad::conformance {

const Variable& Inputs::operator[](const std::string& name) const {
  const auto it = variables_.find(name);
  if (it == variables_.end()) {
    throw std::out_of_range("conformance: the data file has no input named '" + name + "'");
  }
  return it->second;
}

namespace {

void arithmetic(Registry& r) {
  r.group = "arithmetic";
  r.op("add", [](In in) { return in["a"] + in["b"]; });
  r.op("sub", [](In in) { return in["a"] - in["b"]; });
  r.op("mul", [](In in) { return in["a"] * in["b"]; });
  r.op("div", [](In in) { return in["a"] / in["b"]; });
  r.op("neg_function", [](In in) { return neg(in["x"]); });
  r.op("neg_operator", [](In in) { return -in["x"]; });
  r.op("function_forms",
       [](In in) { return div(mul(add(in["a"], in["b"]), sub(in["a"], in["b"])), in["c"]); });
  // A double on either side of each operator.
  r.op("scalar_add_right", [](In in) { return in["x"] + 2.5; });
  r.op("scalar_add_left", [](In in) { return 2.5 + in["x"]; });
  r.op("scalar_sub_right", [](In in) { return in["x"] - 2.5; });
  r.op("scalar_sub_left", [](In in) { return 2.5 - in["x"]; });
  r.op("scalar_mul_right", [](In in) { return in["x"] * -1.5; });
  r.op("scalar_mul_left", [](In in) { return -1.5 * in["x"]; });
  r.op("scalar_div_right", [](In in) { return in["x"] / 0.3; });
  r.op("scalar_div_left", [](In in) { return 2.5 / in["x"]; });
  // Tiny denominators: b^-2 overflows, a / b^2 does not (div's NOTE in primitives.hpp).
  r.op("div_tiny_denominator", [](In in) { return in["a"] / in["b"]; });
}

void elementwise(Registry& r) {
  r.group = "elementwise";
  r.op("exp", [](In in) { return exp(in["x"]); });
  r.op("log", [](In in) { return log(in["x"]); });
  r.op("log1p", [](In in) { return log1p(in["x"]); });
  r.op("pow_cube", [](In in) { return pow(in["x"], 3.0); });
  r.op("pow_fractional", [](In in) { return pow(in["x"], 2.5); });
  r.op("pow_negative", [](In in) { return pow(in["x"], -1.5); });
  r.op("sqrt", [](In in) { return sqrt(in["x"]); });
  r.op("square", [](In in) { return square(in["x"]); });
  r.op("sigmoid", [](In in) { return sigmoid(in["x"]); });
  r.op("sigmoid_extremes", [](In in) { return sigmoid(in["x"]); });
  r.op("tanh", [](In in) { return tanh(in["x"]); });
  r.op("tanh_extremes", [](In in) { return tanh(in["x"]); });
  // The gradient at exactly 0: 0 for relu and abs (PyTorch's choice), 1/2 for softplus.
  r.op("relu", [](In in) { return relu(in["x"]); });
  r.op("abs", [](In in) { return abs(in["x"]); });
  r.op("softplus", [](In in) { return softplus(in["x"]); });
  // softplus's gradient at 0 is sigmoid(0) = 1/2 (a composite must not inherit 0 from abs).
  r.op("softplus_at_zero", [](In in) { return softplus(in["x"]); });
  r.op("clamp", [](In in) { return clamp(in["x"], -0.5, 0.8); });
  r.op("where", [](In in) { return where(in["c"].data() > 0.0, in["a"], in["b"]); });
  r.op("where_broadcast", [](In in) { return where(in["c"].data() > 0.0, in["a"], in["b"]); });
}

// Each operand's gradient is reduced to its own shape.
void broadcasting(Registry& r) {
  r.group = "broadcasting";
  r.op("row", [](In in) { return in["a"] * in["b"]; });            // (2, 3) * (3,)
  r.op("column", [](In in) { return in["a"] - in["b"]; });         // (2, 3) - (2, 1)
  r.op("scalar_0d", [](In in) { return in["a"] * in["s"]; });      // (2, 3) * ()
  r.op("both_operands", [](In in) { return in["a"] / in["b"]; });  // (3, 1) / (1, 4)
  r.op("leading_axes", [](In in) { return in["a"] + in["b"]; });   // (2, 3, 4) + (3, 1)
  r.op("two_0d", [](In in) { return in["s"] * in["t"] + in["s"]; });
}

void reductions(Registry& r) {
  r.group = "reductions";
  r.op("sum_all", [](In in) { return sum(in["x"]); });
  r.op("sum_axis", [](In in) { return sum(in["x"], {1}); });
  r.op("sum_axes_keepdim", [](In in) { return sum(in["x"], {0, 2}, true); });
  r.op("sum_negative_axis", [](In in) { return sum(in["x"], {-1}); });
  r.op("sum_negative_axes_keepdim", [](In in) { return sum(in["x"], {-3, -1}, true); });
  r.op("mean_all", [](In in) { return mean(in["x"]); });
  r.op("mean_axes", [](In in) { return mean(in["x"], {0, 2}); });
  r.op("mean_negative_keepdim", [](In in) { return mean(in["x"], {-2}, true); });
  // Ties share the gradient equally, as with torch.amax.
  r.op("max_axis", [](In in) { return max(in["x"], {1}); });
  r.op("max_ties", [](In in) { return max(in["x"], {1}); });
  r.op("max_ties_axis0_keepdim", [](In in) { return max(in["x"], {0}, true); });
  r.op("max_all_axes_tie", [](In in) { return max(in["x"], {0, 1}); });
  r.op("logsumexp", [](In in) { return logsumexp(in["x"], {1}); });
  r.op("logsumexp_axis0_keepdim", [](In in) { return logsumexp(in["x"], {0}, true); });
  r.op("logsumexp_two_axes", [](In in) { return logsumexp(in["x"], {0, 2}); });
  r.op("logsumexp_extremes", [](In in) { return logsumexp(in["x"], {1}); });
  r.op("softmax", [](In in) { return softmax(in["x"], -1); });
  r.op("softmax_axis0", [](In in) { return softmax(in["x"], 0); });
  r.op("softmax_extremes", [](In in) { return softmax(in["x"], -1); });
  r.op("log_softmax", [](In in) { return log_softmax(in["x"], -1); });
  r.op("log_softmax_3d_axis1", [](In in) { return log_softmax(in["x"], 1); });
  r.op("log_softmax_extremes", [](In in) { return log_softmax(in["x"], -1); });
}

void shapes(Registry& r) {
  r.group = "shapes";
  r.op("reshape", [](In in) { return reshape(in["x"], {4, -1}); });
  r.op("flatten", [](In in) { return flatten(in["x"]); });
  r.op("permute", [](In in) { return permute(in["x"], {2, 0, 1}); });
  r.op("permute_negative_axes", [](In in) { return permute(in["x"], {-1, 0, -2}); });
  r.op("transpose", [](In in) { return transpose(in["x"]); });
  r.op("broadcast_to", [](In in) { return broadcast_to(in["x"], {2, 3, 4}); });
  r.op("sum_to", [](In in) { return sum_to(in["x"], {3, 1}); });
  r.op("chain", [](In in) { return reshape(permute(in["x"], {1, 0, 2}), {3, 8}) * in["w"]; });
}

// The four transpose flags of matmul.
void matmuls(Registry& r) {
  r.group = "matmul";
  r.op("matmul", [](In in) { return matmul(in["a"], in["b"]); });
  r.op("matmul_transpose_a", [](In in) { return matmul(in["a"], in["b"], true, false); });
  r.op("matmul_transpose_b", [](In in) { return matmul(in["a"], in["b"], false, true); });
  r.op("matmul_transpose_both", [](In in) { return matmul(in["a"], in["b"], true, true); });
  r.op("matmul_chain",
       [](In in) { return matmul(matmul(in["a"], in["b"]), in["c"], false, true); });
  r.op("matmul_gram", [](In in) { return matmul(in["a"], in["a"], false, true); });
}

void losses(Registry& r) {
  r.group = "losses";
  r.op("bce", [](In in) { return binary_cross_entropy(in["p"], in["t"]); });
  r.op("bce_soft_targets", [](In in) { return binary_cross_entropy(in["p"], in["t"]); });
  r.op("bce_mean", [](In in) { return mean(binary_cross_entropy(in["p"], in["t"])); });
  // p exactly 0 and 1 (loss 100, gradient +-1e12 or 0); the target needs no gradient here.
  // PyTorch clamps p (1 - p) at float(1e-12) = 9.999999960041972e-13, and so does xtgrad.
  r.op("bce_extremes", [](In in) { return binary_cross_entropy(in["p"], in["t"]); });
  r.op("bce_logits", [](In in) { return binary_cross_entropy_with_logits(in["z"], in["t"]); });
  r.op("bce_logits_soft_targets",
       [](In in) { return binary_cross_entropy_with_logits(in["z"], in["t"]); });
  r.op("bce_logits_extremes",
       [](In in) { return binary_cross_entropy_with_logits(in["z"], in["t"]); });
  // The gradient at z = 0 is sigmoid(0) - t = 1/2 - t.
  r.op("bce_logits_at_zero",
       [](In in) { return binary_cross_entropy_with_logits(in["z"], in["t"]); });
}

void composites(Registry& r) {
  r.group = "composite";
  r.op("mlp_bce_mean", [](In in) {
    const Variable h = tanh(matmul(in["x"], in["w1"]) + in["b1"]);  // (4, 5)
    const Variable p = sigmoid(matmul(h, in["w2"]) + in["b2"]);     // (4, 1)
    return mean(binary_cross_entropy(p, in["t"]));
  });
  r.op("mlp_relu_bce_logits", [](In in) {
    const Variable h = relu(matmul(in["x"], in["w1"]) + in["b1"]);
    return mean(binary_cross_entropy_with_logits(matmul(h, in["w2"]) + in["b2"], in["t"]));
  });
  r.op("softmax_cross_entropy", [](In in) {
    const Variable logits = matmul(in["x"], in["w"]) + in["b"];
    return -mean(sum(in["t"] * log_softmax(logits, -1), {-1}));
  });
  r.op("autoencoder_mse", [](In in) {
    const Variable z = tanh(matmul(in["x"], in["we"]));
    const Variable reconstruction = sigmoid(matmul(z, in["wd"]));
    return mean(square(reconstruction - in["x"]));
  });
  // KL(N(mu, e^logvar) || N(0, 1)) summed over latents, averaged over the batch.
  r.op("kl_gaussian", [](In in) {
    const Variable &mu = in["mu"], &logvar = in["logvar"];
    return mean(-0.5 * sum(1.0 + logvar - mu * mu - exp(logvar), {1}));
  });
  r.op("layer_norm", [](In in) {
    const Variable centered = in["x"] - mean(in["x"], {-1}, true);
    const Variable variance = mean(square(centered), {-1}, true);
    return centered / sqrt(variance + 1e-5) * in["gain"];
  });
}

}  // namespace

const std::vector<Program>& programs() {
  static const std::vector<Program> all = [] {
    Registry r;
    arithmetic(r);
    elementwise(r);
    broadcasting(r);
    reductions(r);
    shapes(r);
    matmuls(r);
    losses(r);
    semantics(r);
    higher_order(r);
    composites(r);
    images(r);
    return r.programs;
  }();
  return all;
}

}  // namespace xtgrad::conformance
