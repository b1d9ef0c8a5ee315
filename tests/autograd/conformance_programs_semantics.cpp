// The conformance programs of the groups semantics (how gradients accumulate, detach,
// no_grad, retain_grad, grad()) and higher_order (differentiating a gradient again). Like
// conformance_programs.cpp, they mirror make_conformance.py in the same order.
#include "conformance_programs.hpp"

#include <vector>

namespace xtgrad::conformance {

namespace {

// A bool as a 0-d float64 value (Python's flag()).
Variable flag(bool value) { return Variable(scalar_tensor(value ? 1.0 : 0.0, DType::float64)); }
// The values now, unaffected by later in-place accumulation (Python's .detach().clone()).
Variable snapshot(const Variable& v) { return Variable(v.data().clone()); }
Variable constant(double value) { return Variable(scalar_tensor(value, DType::float64)); }

}  // namespace

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
    return Values{{"y", y},
                  {"s_requires_grad", flag(s.requires_grad())},
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
  // set_requires_grad(true) on a non-leaf is allowed and changes nothing.
  r.semantic("requires_grad_true_on_nonleaf", [](In in) {
    Variable h = in["x"] * in["w"];
    h.set_requires_grad(true);
    const Variable y = sum(h * h);
    y.backward();
    return Values{
        {"y", y}, {"h_requires_grad", flag(h.requires_grad())}, {"h_leaf", flag(h.is_leaf())}};
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

namespace {

using Fn = std::function<Variable(const Variable&)>;

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

}  // namespace

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
    const Variable g1 = grads_of(y, {in["x"]})[0];        // 4 x^3
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

}  // namespace xtgrad::conformance
