// The conformance programs in xtgrad. Each mirrors the PyTorch program of the same name in
// tests/autograd/conformance/make_conformance.py, in the same groups and order: change both
// together and rerun the script. Inputs come from the data file (in["x"]); the test compares
// what a program returns and every input's grad() afterwards with PyTorch's.
#include "conformance_programs.hpp"

#include <stdexcept>
#include <utility>

namespace xtgrad::conformance {

const Variable& Inputs::operator[](const std::string& name) const {
  const auto it = variables_.find(name);
  if (it == variables_.end()) {
    throw std::out_of_range("conformance: the data file has no input named '" + name + "'");
  }
  return it->second;
}

namespace {

using In = const Inputs&;
using Fn = std::function<Variable(const Variable&)>;

// Collects the programs; each section sets the group its programs belong to.
struct Registry {
  std::string group;
  std::vector<Program> programs;

  void op(std::string name, std::function<Variable(In)> program) {
    programs.push_back({group, std::move(name), std::move(program), {}});
  }
  void semantic(std::string name, std::function<Values(In)> program) {
    programs.push_back({group, std::move(name), {}, std::move(program)});
  }
};

// A bool as a 0-d float64 value (Python's flag()).
Variable flag(bool value) { return Variable(scalar_tensor(value ? 1.0 : 0.0, DType::float64)); }
// The values now, unaffected by later in-place accumulation (Python's .detach().clone()).
Variable snapshot(const Variable& v) { return Variable(v.data().clone()); }
Variable constant(double value) { return Variable(scalar_tensor(value, DType::float64)); }

void arithmetic(Registry& r) {
  r.group = "arithmetic";
  r.op("add", [](In in) { return in["a"] + in["b"]; });
  r.op("sub", [](In in) { return in["a"] - in["b"]; });
  r.op("mul", [](In in) { return in["a"] * in["b"]; });
  r.op("div", [](In in) { return in["a"] / in["b"]; });
  r.op("neg_function", [](In in) { return neg(in["x"]); });
  r.op("neg_operator", [](In in) { return -in["x"]; });
  r.op("function_forms", [](In in) {
    return div(mul(add(in["a"], in["b"]), sub(in["a"], in["b"])), in["c"]);
  });
  // A double on either side of each operator.
  r.op("scalar_add_right", [](In in) { return in["x"] + 2.5; });
  r.op("scalar_add_left", [](In in) { return 2.5 + in["x"]; });
  r.op("scalar_sub_right", [](In in) { return in["x"] - 2.5; });
  r.op("scalar_sub_left", [](In in) { return 2.5 - in["x"]; });
  r.op("scalar_mul_right", [](In in) { return in["x"] * -1.5; });
  r.op("scalar_mul_left", [](In in) { return -1.5 * in["x"]; });
  r.op("scalar_div_right", [](In in) { return in["x"] / 0.3; });
  r.op("scalar_div_left", [](In in) { return 2.5 / in["x"]; });
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
  r.op("matmul_chain", [](In in) {
    return matmul(matmul(in["a"], in["b"]), in["c"], false, true);
  });
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

void semantics(Registry& r) {
  r.group = "semantics";
  // A value used twice sums the gradients of both uses.
  r.op("reuse_x_times_x", [](In in) { return in["x"] * in["x"]; });
  r.op("reuse_c_plus_c", [](In in) { return in["c"] + in["c"]; });
  r.op("reuse_diamond", [](In in) {
    const Variable y = in["a"] * in["b"];
    return y * exp(y) + y;
  });

  r.semantic("accumulate_two_backward", [](In in) {
    const Variable y = sum(in["x"] * in["w"]);
    y.backward({}, /*retain_graph=*/true);
    y.backward();
    return Values{{"y", y}};
  });
  r.semantic("accumulate_two_graphs", [](In in) {
    sum(in["x"] * in["x"]).backward();
    sum(in["x"] * in["w"]).backward();
    return Values{};
  });
  // The grad seen after the first backward is the one the second adds to, in place.
  r.semantic("accumulate_in_place", [](In in) {
    const Variable& x = in["x"];
    const Variable y = sum(x * x * x);
    y.backward({}, /*retain_graph=*/true);
    const Variable g = x.grad();
    const Variable first = snapshot(g);
    y.backward();
    return Values{{"first", first}, {"g_after_second", g}};
  });
  r.semantic("backward_grad_output", [](In in) {
    const Variable y = in["x"] * in["w"];
    y.backward(in["v"]);
    return Values{{"y", y}};
  });
  r.semantic("backward_two_outputs", [](In in) {
    const Variable y1 = exp(in["x"]);
    const Variable y2 = sum(in["x"] * in["x"]);
    backward({y1, y2}, {in["v"], constant(2.0)});
    return Values{{"y1", y1}, {"y2", y2}};
  });
  r.semantic("detach_stops_gradient", [](In in) {
    const Variable& x = in["x"];
    const Variable y = sum(x.detach() * in["w"] + x * x);
    y.backward();
    return Values{{"y", y}, {"detached_requires_grad", flag(x.detach().requires_grad())}};
  });
  r.semantic("detach_only_path", [](In in) {
    const Variable y = sum(in["x"].detach() * in["w"]);  // x's grad stays undefined
    y.backward();
    return Values{{"y", y}};
  });
  r.semantic("no_grad_section", [](In in) {
    Variable z;
    {
      NoGradGuard no_grad;
      z = in["x"] * 3.0;
    }
    const Variable y = sum(z * in["w"]);
    y.backward();
    return Values{{"y", y}, {"z", z}, {"z_requires_grad", flag(z.requires_grad())}};
  });
  r.semantic("no_grad_then_grad", [](In in) {
    Variable s;
    {
      NoGradGuard no_grad;
      s = sum(in["x"] * 2.0);
    }
    const Variable y = sum(in["x"] * s);  // recorded again after the section
    y.backward();
    return Values{{"y", y}, {"s_requires_grad", flag(s.requires_grad())},
                  {"y_requires_grad", flag(y.requires_grad())}};
  });
  r.semantic("requires_grad_propagation", [](In in) {
    const Variable &x = in["x"], &c = in["c"];
    return Values{{"x_times_c", flag((x * c).requires_grad())},
                  {"c_times_c", flag((c * c).requires_grad())},
                  {"exp_c", flag(exp(c).requires_grad())},
                  {"x_leaf", flag(x.is_leaf())},
                  {"x_times_c_leaf", flag((x * c).is_leaf())}};
  });
  r.semantic("retain_grad_nonleaf", [](In in) {
    Variable h = in["x"] * in["w"];
    h.retain_grad();
    const Variable y = sum(h * h);
    y.backward();
    return Values{{"y", y}, {"h_grad", h.grad()}};
  });
  r.semantic("retain_grad_used_twice", [](In in) {
    Variable h = tanh(in["x"]);
    h.retain_grad();
    const Variable y = sum(h * h + h);
    y.backward();
    return Values{{"y", y}, {"h_grad", h.grad()}};
  });
  // grad() returns the gradients and leaves grad() alone.
  r.semantic("grad_functional", [](In in) {
    const Variable y = sum(tanh(in["x"]) * in["w"]);
    const std::vector<Variable> g = grad({y}, {in["x"], in["w"]});
    return Values{{"y", y}, {"gx", g[0]}, {"gw", g[1]}};
  });
  r.semantic("grad_functional_nonleaf", [](In in) {
    const Variable h = in["x"] * in["w"];
    const Variable y = sum(tanh(h));
    return Values{{"y", y}, {"gh", grad({y}, {h})[0]}};
  });
  r.semantic("grad_functional_grad_output", [](In in) {
    const Variable y = sigmoid(in["x"]);
    return Values{{"y", y}, {"gx", grad({y}, {in["x"]}, {in["v"]})[0]}};
  });
  // add's backward passes one gradient to both inputs; a.grad and b.grad must still be
  // separate, so that the second backward adds into a.grad only.
  r.semantic("create_graph_grads_not_shared", [](In in) {
    const Variable &a = in["a"], &b = in["b"];
    const Variable y = sum(a + b);
    y.backward({}, false, /*create_graph=*/true);
    sum(a * a).backward();
    return Values{{"y", y}};
  });
  // The grad_output given to backward(create_graph) is not the Variable that becomes x.grad():
  // the second backward adds into x.grad() and leaves v as it was.
  r.semantic("create_graph_grad_output_untouched", [](In in) {
    const Variable& x = in["x"];
    const Variable y = x + in["c"];
    y.backward(in["v"], false, /*create_graph=*/true);
    sum(x * x).backward();
    return Values{{"v", in["v"]}};
  });
}

// backward(create_graph) leaves g = x.grad() with a history; backward of sum(g * g) then adds
// d/dx sum(g^2) = 2 H g into x.grad() (which is g itself, updated in place).
std::function<Values(In)> second_backward(Fn f) {
  return [f](In in) {
    const Variable& x = in["x"];
    const Variable y = sum(f(x));
    y.backward({}, false, /*create_graph=*/true);
    const Variable g = x.grad();
    const Variable first = snapshot(g);
    sum(g * g).backward();
    return Values{{"y", y}, {"first", first}};
  };
}

// The functional form: g = d(sum f(x))/dx with create_graph, then x.grad() = d/dx sum(g * g).
std::function<Values(In)> second_grad(Fn f) {
  return [f](In in) {
    const Variable y = sum(f(in["x"]));
    const Variable g = grad({y}, {in["x"]}, {}, false, /*create_graph=*/true)[0];
    sum(g * g).backward();
    return Values{{"y", y}, {"g", g}};
  };
}

// d(sum(y))/d(inputs) with create_graph, for differentiating again.
std::vector<Variable> grads_of(const Variable& y, const std::vector<Variable>& inputs) {
  return grad({y}, inputs, {}, false, /*create_graph=*/true);
}

void higher_order(Registry& r) {
  r.group = "higher_order";
  r.semantic("second_backward_tanh", second_backward([](const Variable& x) { return tanh(x); }));
  r.semantic("second_backward_exp", second_backward([](const Variable& x) { return exp(x); }));
  r.semantic("second_grad_tanh", second_grad([](const Variable& x) { return tanh(x); }));
  r.semantic("second_grad_sigmoid", second_grad([](const Variable& x) { return sigmoid(x); }));
  r.semantic("second_grad_exp", second_grad([](const Variable& x) { return exp(x); }));
  r.semantic("second_grad_log", second_grad([](const Variable& x) { return log(x); }));
  r.semantic("second_grad_pow", second_grad([](const Variable& x) { return pow(x, 2.5); }));
  r.semantic("second_grad_softplus", second_grad([](const Variable& x) { return softplus(x); }));

  r.semantic("second_grad_softmax", [](In in) {
    const Variable y = sum(softmax(in["x"], -1) * in["v"]);  // sum(softmax) alone is constant
    const Variable g = grads_of(y, {in["x"]})[0];
    sum(g * g).backward();
    return Values{{"y", y}, {"g", g}};
  });
  r.semantic("second_grad_log_softmax", [](In in) {
    const Variable y = sum(log_softmax(in["x"], -1) * in["v"]);
    const Variable g = grads_of(y, {in["x"]})[0];
    sum(g * g).backward();
    return Values{{"y", y}, {"g", g}};
  });
  r.semantic("second_grad_matmul", [](In in) {
    const Variable y = sum(tanh(matmul(in["a"], in["b"])) * in["v"]);
    const std::vector<Variable> g = grads_of(y, {in["a"], in["b"]});
    (sum(g[0] * g[0]) + sum(g[1] * g[1])).backward();
    return Values{{"y", y}, {"ga", g[0]}, {"gb", g[1]}};
  });
  r.semantic("second_grad_matmul_transposed", [](In in) {
    const Variable y = sum(sigmoid(matmul(in["a"], in["b"], true, true)));
    const std::vector<Variable> g = grads_of(y, {in["a"], in["b"]});
    (sum(g[0] * g[0]) + sum(g[0] * 0.5) + sum(g[1] * g[1] * g[1])).backward();
    return Values{{"y", y}, {"ga", g[0]}, {"gb", g[1]}};
  });
  r.semantic("second_grad_bce", [](In in) {
    const Variable y = sum(binary_cross_entropy(in["p"], in["t"]));
    const Variable g = grads_of(y, {in["p"]})[0];
    sum(g * g).backward();
    return Values{{"y", y}, {"g", g}};
  });
  r.semantic("second_grad_bce_logits", [](In in) {
    const Variable y = sum(binary_cross_entropy_with_logits(in["z"], in["t"]));
    const Variable g = grads_of(y, {in["z"]})[0];
    sum(g * g).backward();
    return Values{{"y", y}, {"g", g}};
  });
  // The mixed partial: d/dw of dy/dx.
  r.semantic("second_grad_mixed", [](In in) {
    const Variable y = sum(in["x"] * in["x"] * in["w"]);
    const Variable gx = grads_of(y, {in["x"]})[0];
    sum(gx).backward();  // x.grad = 2 w, w.grad = 2 x
    return Values{{"y", y}, {"gx", gx}};
  });
  r.semantic("third_derivative_pow", [](In in) {
    const Variable y = sum(pow(in["x"], 4.0));
    const Variable g1 = grads_of(y, {in["x"]})[0];       // 4 x^3
    const Variable g2 = grads_of(sum(g1), {in["x"]})[0];  // 12 x^2
    sum(g2).backward();                                   // x.grad = 24 x
    return Values{{"y", y}, {"g1", g1}, {"g2", g2}};
  });
  // A gradient penalty: the squared norm of the loss's gradient, differentiated again.
  r.semantic("second_grad_mlp_tanh", [](In in) {
    const Variable out = matmul(tanh(matmul(in["x"], in["w1"]) + in["b1"]), in["w2"]) + in["b2"];
    const Variable loss = mean(square(out - in["t"]));
    const std::vector<Variable> g = grads_of(loss, {in["w1"], in["b1"], in["w2"], in["b2"]});
    (sum(g[0] * g[0]) + sum(g[1] * g[1]) + sum(g[2] * g[2]) + sum(g[3] * g[3])).backward();
    return Values{{"loss", loss}, {"gw1", g[0]}, {"gb1", g[1]}, {"gw2", g[2]}, {"gb2", g[3]}};
  });
}

void composites(Registry& r) {
  r.group = "composite";
  r.op("mlp_bce_mean", [](In in) {
    const Variable h = tanh(matmul(in["x"], in["w1"]) + in["b1"]);     // (4, 5)
    const Variable p = sigmoid(matmul(h, in["w2"]) + in["b2"]);        // (4, 1)
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
    return r.programs;
  }();
  return all;
}

}  // namespace xtgrad::conformance
