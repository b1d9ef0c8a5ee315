// Every differentiable op, primitive or composite, passes gradcheck in float64; the smooth
// ones pass gradgradcheck too. Ops with kinks (relu, abs, clamp, max) are checked on inputs
// away from the kink. Plus numerical stability at +-1000.
#include <cmath>
#include <functional>
#include <limits>
#include <tuple>

#include "../tensor/helpers.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

using Fn = std::function<Variable(const std::vector<Variable>&)>;

struct OpCase {
  std::string name;
  std::vector<Shape> shapes;  // one input per shape
  Fn f;
  bool smooth = true;     // also gradgradcheck
  bool positive = false;  // inputs in [0.5, 1.5] (log, pow, sqrt, division)
};

// Random float64 inputs that require grad, kept away from 0 (the kinks of relu, abs, ...).
std::vector<Variable> inputs_for(const OpCase& c, std::uint64_t seed) {
  Generator gen(seed);
  std::vector<Variable> in;
  for (const Shape& s : c.shapes) {
    Tensor t = c.positive ? uniform(s, 0.5, 1.5, gen, DType::float64)
                          : uniform(s, 0.2, 1.0, gen, DType::float64) *
                                where(rand(s, gen, DType::float64) > 0.5, ones(s, DType::float64),
                                      full(s, -1, DType::float64));
    in.emplace_back(t, true);
  }
  return in;
}

const std::vector<OpCase>& cases() {
  using V = const std::vector<Variable>&;
  static const std::vector<OpCase> all = {
      // primitives
      {"add_broadcast", {{2, 3}, {3}}, [](V x) { return x[0] + x[1]; }},
      {"sub_broadcast", {{2, 3}, {3}}, [](V x) { return x[0] - x[1]; }},
      {"mul_broadcast", {{2, 3}, {2, 1}}, [](V x) { return x[0] * x[1]; }},
      {"div", {{2, 3}, {2, 3}}, [](V x) { return x[0] / x[1]; }, true, true},
      {"div_broadcast", {{2, 1}, {3}}, [](V x) { return x[0] / x[1]; }, true, true},
      {"mul_scalar", {{2, 3}}, [](V x) { return x[0] * 2.5 + 0.5 * x[0] * x[0] - x[0] / 4.0; }},
      {"add_scalar", {{2, 3}}, [](V x) { return (x[0] + 1.5) * (3.0 + x[0]) * (x[0] - 0.25); }},
      {"pow", {{4}}, [](V x) { return pow(x[0], 3.0); }},
      {"pow_fractional", {{4}}, [](V x) { return pow(x[0], -1.5); }, true, true},
      {"exp", {{2, 2}}, [](V x) { return exp(x[0]); }},
      {"log", {{3}}, [](V x) { return log(x[0]); }, true, true},
      {"log1p", {{3}}, [](V x) { return log1p(x[0]); }, true, true},
      {"sigmoid", {{2, 3}}, [](V x) { return sigmoid(x[0]); }},
      {"relu", {{2, 3}}, [](V x) { return relu(x[0]); }, false},
      {"where", {{2, 3}, {3}}, [](V x) { return where(x[0].data() > 0.0, x[0], x[1]); }},
      {"sum_all", {{2, 3}}, [](V x) { return sum(x[0]); }},
      {"sum_axes_keepdim",
       {{2, 3, 2}},
       [](V x) {
         return sum(x[0], {0, -1}, true);
       }},
      {"broadcast_to",
       {{3, 1}},
       [](V x) {
         return broadcast_to(x[0], {2, 3, 4});
       }},
      {"reshape",
       {{2, 3}},
       [](V x) {
         return reshape(x[0], {3, 2}) * Variable(arange(0, 6, 1, DType::float64).reshape({3, 2}));
       }},
      {"permute",
       {{2, 3, 4}},
       [](V x) {
         return permute(x[0], {2, 0, 1}) *
                Variable(arange(0, 24, 1, DType::float64).reshape({4, 2, 3}));
       }},
      {"matmul", {{3, 4}, {4, 2}}, [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_ta", {{4, 3}, {4, 2}}, [](V x) { return matmul(x[0], x[1], true, false); }},
      {"matmul_tb", {{3, 4}, {2, 4}}, [](V x) { return matmul(x[0], x[1], false, true); }},
      {"matmul_tatb", {{4, 3}, {2, 4}}, [](V x) { return matmul(x[0], x[1], true, true); }},
      {"binary_cross_entropy",
       {{2, 3}, {2, 3}},
       [](V x) { return binary_cross_entropy(sigmoid(x[0]), sigmoid(x[1])); }},
      // fused primitives
      {"linear", {{3, 4}, {2, 4}, {2}}, [](V x) { return linear(x[0], x[1], x[2]); }},
      {"bce_with_logits",
       {{2, 3}, {2, 3}},
       [](V x) { return binary_cross_entropy_with_logits(x[0], sigmoid(x[1])); }},
      {"bce_with_logits_sum",
       {{2, 3}, {2, 3}},
       [](V x) { return binary_cross_entropy_with_logits_sum(x[0], sigmoid(x[1])); }},
      // composites
      {"neg", {{3}}, [](V x) { return -x[0]; }},
      {"scalar_forms",
       {{3}},
       [](V x) { return (2.0 - x[0]) * 3.0 + 1.0 / (x[0] + 4.0) - x[0] / 2.0; }},
      {"sqrt", {{3}}, [](V x) { return sqrt(x[0]); }, true, true},
      {"square", {{3}}, [](V x) { return square(x[0]); }},
      {"tanh", {{2, 3}}, [](V x) { return tanh(x[0]); }},
      {"softplus", {{2, 3}}, [](V x) { return softplus(x[0]); }},
      {"abs", {{2, 3}}, [](V x) { return abs(x[0]); }, false},
      {"clamp", {{2, 3}}, [](V x) { return clamp(x[0], -0.5, 0.5); }, false},
      {"mean_all", {{2, 3}}, [](V x) { return mean(x[0]); }},
      {"mean_axis", {{2, 3}}, [](V x) { return mean(x[0], {1}); }},
      {"max_axis", {{3, 4}}, [](V x) { return max(x[0], {1}); }, false},
      {"logsumexp", {{3, 4}}, [](V x) { return logsumexp(x[0], {1}); }},
      {"softmax", {{3, 4}}, [](V x) { return softmax(x[0], 1); }},
      {"log_softmax", {{3, 4}}, [](V x) { return log_softmax(x[0], 0); }},
      {"flatten",
       {{2, 3}},
       [](V x) { return flatten(x[0]) * Variable(arange(0, 6, 1, DType::float64)); }},
      {"transpose",
       {{2, 3}},
       [](V x) {
         return transpose(x[0]) * Variable(arange(0, 6, 1, DType::float64).reshape({3, 2}));
       }},
      {"sum_to",
       {{2, 3, 4}},
       [](V x) {
         return sum_to(x[0], {3, 1});
       }},
      {"bce_with_logits_broadcast",
       {{2, 3}, {3}},  // falls back to the composite
       [](V x) { return binary_cross_entropy_with_logits(x[0], sigmoid(x[1])); }},
      {"mlp",
       {{4, 3}, {3, 5}, {5}},
       [](V x) { return mean(sum(square(tanh(matmul(x[0], x[1]) + x[2])), {1})); }},
  };
  return all;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ops)

BOOST_AUTO_TEST_CASE(every_op_passes_gradcheck) {
  for (const OpCase& c : cases()) {
    BOOST_TEST_CONTEXT(c.name) {
      const GradcheckReport r = gradcheck(c.f, inputs_for(c, 1));
      BOOST_TEST(r.passed, r.message);
      BOOST_TEST(r.max_abs_error < 1e-6, r.summary());
    }
  }
}

BOOST_AUTO_TEST_CASE(smooth_ops_pass_gradgradcheck) {
  for (const OpCase& c : cases()) {
    if (!c.smooth) continue;
    BOOST_TEST_CONTEXT(c.name) {
      const GradcheckReport r = gradgradcheck(c.f, inputs_for(c, 2));
      BOOST_TEST(r.passed, r.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_op_passes_check_nodes) {
  for (const OpCase& c : cases()) {
    BOOST_TEST_CONTEXT(c.name) {
      const GradcheckReport r = check_nodes(c.f, inputs_for(c, 3));
      BOOST_TEST(r.passed, r.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(stable_at_plus_minus_1000) {
  Variable z(tensor({{-1000, 0, 1000}, {1000, 1000, -1000}}, DType::float64), true);
  Variable t(tensor({{0, 1, 1}, {1, 0, 0}}, DType::float64));
  const double inf = std::numeric_limits<double>::infinity();
  auto finite = [](const Tensor& x) { return allclose(x, x) && max(abs(x)).item() < 1e300; };

  check_tensor(softmax(z, 1).data(), {2, 3}, {0, 0, 1, 0.5, 0.5, 0});
  check_tensor(log_softmax(z, 1).data(), {2, 3},
               {-2000, -1000, 0, -std::log(2), -std::log(2), -2000 - std::log(2)}, 1e-12);
  check_tensor(logsumexp(z, {1}).data(), {2}, {1000, 1000 + std::log(2)}, 1e-12);
  check_tensor(sigmoid(z).data(), {2, 3}, {0, 0.5, 1, 1, 1, 0});
  check_tensor(binary_cross_entropy_with_logits(z, t).data(), {2, 3},
               {0, std::log(2), 0, 0, 1000, 0}, 1e-12);
  // Probabilities of exactly 0 and 1: the loss is clamped at 100, never inf.
  Variable p(tensor({0, 1, 0, 1}, DType::float64), true);
  Variable target(tensor({0, 1, 1, 0}, DType::float64));
  Variable bce = binary_cross_entropy(p, target);
  check_tensor(bce.data(), {4}, {0, 0, 100, 100});
  BOOST_TEST(max(bce.data()).item() < inf);

  for (const Variable& loss :
       {sum(softmax(z, 1) * Variable(t)), sum(log_softmax(z, 1)), sum(logsumexp(z, {1})),
        sum(sigmoid(z)), sum(binary_cross_entropy_with_logits(z, t))}) {
    z.zero_grad();
    loss.backward();
    BOOST_TEST(finite(z.grad().data()), "gradient " << z.grad().data());
  }
  sum(bce).backward();
  BOOST_TEST(finite(p.grad().data()), "gradient " << p.grad().data());
}

BOOST_AUTO_TEST_CASE(float32_ops_match_float64) {
  // The same program in both dtypes: values and gradients agree to float32 precision.
  Generator gen(4);
  Tensor x64 = randn({5, 4}, gen, DType::float64);
  Tensor w64 = randn({4, 3}, gen, DType::float64);
  std::vector<Tensor> grads;
  std::vector<double> losses;
  for (DType dt : {DType::float32, DType::float64}) {
    Variable x(x64.to(dt)), w(w64.to(dt), true);
    Variable loss =
        mean(binary_cross_entropy(sigmoid(matmul(x, w)), Variable(full({5, 3}, 0.25, dt))));
    loss.backward();
    grads.push_back(w.grad().data().to(DType::float64));
    losses.push_back(loss.item());
  }
  BOOST_TEST(std::abs(losses[0] - losses[1]) < 1e-6);
  BOOST_TEST(allclose(grads[0], grads[1], 1e-4, 1e-6));
}

BOOST_AUTO_TEST_CASE(pow_zero_has_gradient_zero_at_zero) {
  Variable x(tensor({0, 2}, DType::float64), true);
  sum(pow(x, 0.0)).backward();
  check_tensor(x.grad().data(), {2}, {0, 0});  // not 0 * 0^-1 = nan
}

// The composites that sub and div were before they became primitives: the references the
// primitives must agree with wherever both are finite.
Variable sub_composite(const Variable& a, const Variable& b) { return a + b * -1.0; }
Variable div_composite(const Variable& a, const Variable& b) { return a * pow(b, -1.0); }

BOOST_AUTO_TEST_CASE(sub_and_div_agree_with_their_composites) {
  using Binary = Variable (*)(const Variable&, const Variable&);
  const std::vector<std::tuple<std::string, Binary, Binary>> pairs = {
      {"sub", [](const Variable& a, const Variable& b) { return a - b; }, sub_composite},
      {"div", [](const Variable& a, const Variable& b) { return a / b; }, div_composite}};
  Generator gen(5);
  // Broadcast (2, 3) against (3,), b of both signs away from 0, a non-uniform upstream gradient.
  const Tensor a0 = randn({2, 3}, gen, DType::float64);
  const Tensor b0 =
      uniform({3}, 0.3, 2.0, gen, DType::float64) * tensor({1, -1, 1}, DType::float64);
  const Tensor g = randn({2, 3}, gen, DType::float64);
  for (const auto& [name, primitive, composite] : pairs) {
    BOOST_TEST_CONTEXT(name) {
      std::vector<Tensor> results;
      for (Binary op : {primitive, composite}) {
        Variable a(a0.clone(), true), b(b0.clone(), true);
        const Variable y = op(a, b);
        y.backward(Variable(g));
        for (const Variable& v : {y, a.grad(), b.grad()}) results.push_back(v.data());
      }
      for (std::size_t k = 0; k < 3; ++k) {
        BOOST_TEST(allclose(results[k], results[k + 3], 1e-14, 1e-15),
                   (k == 0   ? "values"
                    : k == 1 ? "grad a"
                             : "grad b")
                       << ": " << results[k] << " vs " << results[k + 3]);
      }
    }
  }
}

// d(a / b)/db = -a / b^2 is finite for a = 1e-30, b = 1e-20 (float32): -1e10. The composite
// a * b^-1 computes b^-2 = 1e40, which overflows float32; the primitive uses y / b instead.
// PyTorch 1.13 (measured): a.grad = [1e20, 0.5], b.grad = [-1e10, -0.75].
BOOST_AUTO_TEST_CASE(div_gradient_is_finite_for_a_tiny_denominator) {
  for (DType dt : {DType::float32, DType::float64}) {
    BOOST_TEST_CONTEXT(dtype_name(dt)) {
      // The same trap in float64 needs b = 1e-160 (b^-2 = 1e320).
      const bool single = dt == DType::float32;
      const double tiny_a = single ? 1e-30 : 1e-300, tiny_b = single ? 1e-20 : 1e-160;
      const double grad_a0 = 1 / tiny_b, grad_b0 = -(tiny_a / tiny_b) / tiny_b;
      auto run = [&](Variable (*op)(const Variable&, const Variable&)) {
        Variable a(tensor({tiny_a, 3.0}, dt), true), b(tensor({tiny_b, 2.0}, dt), true);
        sum(op(a, b)).backward();
        return std::make_pair(a.grad().data().to(DType::float64),
                              b.grad().data().to(DType::float64));
      };
      const auto [old_a, old_b] = run(div_composite);
      BOOST_TEST(!std::isfinite(old_b.to_vector<double>()[0]), "the composite's grad b: " << old_b);
      const auto [grad_a, grad_b] = run(xtgrad::div);
      check_tensor(grad_a, {2}, {grad_a0, 0.5}, 1e-6);
      check_tensor(grad_b, {2}, {grad_b0, -0.75}, 1e-6);
    }
  }
}

// PyTorch 1.13 (measured with Debian's python3-torch):
//   x = [-1, 0, nan, 2];  torch.relu(x) = [0, 0, nan, 2]
//   backward with [1, 2, 3, 4]: x.grad = [0, 0, 3, 4]
// threshold_backward masks with y <= 0, which is false for NaN: the gradient passes.
BOOST_AUTO_TEST_CASE(relu_keeps_nan_as_pytorch) {
  for (DType dt : {DType::float32, DType::float64}) {
    BOOST_TEST_CONTEXT(dtype_name(dt)) {
      Variable x(tensor({-1.0, 0.0, kNaN, 2.0}, dt), true);
      const Variable y = relu(x);
      check_tensor(y.data(), {4}, {0, 0, kNaN, 2});
      y.backward(Variable(tensor({1, 2, 3, 4}, dt)));
      check_tensor(x.grad().data(), {4}, {0, 0, 3, 4});
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
