// The fused primitives against the composites they replace (ops.hpp, namespace reference), and
// each fast backward against the recorded one: same values and same gradients. (test_ops.cpp
// gradchecks the fused primitives, and gradgradchecks them, which runs the recorded rules.)
#include <functional>

#include "../tensor/helpers.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

using Fn = std::function<Variable(const std::vector<Variable>&)>;

// Leaves with fresh gradients, holding the given values.
std::vector<Variable> leaves(const std::vector<Tensor>& values) {
  std::vector<Variable> in;
  for (const Tensor& t : values) in.emplace_back(t.clone(), true);
  return in;
}

// f's value and the gradients of sum(f * weights) for the given inputs. `recorded` runs the
// backward with create_graph, which takes the recorded (reference) branch of every rule.
struct Result {
  Tensor value;
  std::vector<Tensor> grads;
};
Result run(const Fn& f, const std::vector<Tensor>& values, bool recorded) {
  const std::vector<Variable> in = leaves(values);
  const Variable y = f(in);
  Generator gen(11);
  const Variable weights(uniform(y.shape(), 0.5, 1.5, gen, y.dtype()));
  const std::vector<Variable> g =
      grad({y}, in, {weights}, /*retain_graph=*/false, /*create_graph=*/recorded);
  Result r{y.data(), {}};
  for (const Variable& gi : g) r.grads.push_back(gi.data());
  return r;
}

void check_same(const std::string& what, const Result& got, const Result& want, double tol) {
  BOOST_TEST_CONTEXT(what) {
    check_tensor(got.value, want.value.shape(), want.value.to_vector<double>(), tol);
    BOOST_TEST_REQUIRE(got.grads.size() == want.grads.size());
    for (std::size_t i = 0; i < got.grads.size(); ++i) {
      BOOST_TEST_CONTEXT("gradient of input " << i) {
        check_tensor(got.grads[i], want.grads[i].shape(), want.grads[i].to_vector<double>(), tol);
      }
    }
  }
}

// Logits over a wide range (saturated sigmoids included) and targets in [0, 1].
std::vector<Tensor> bce_inputs(DType dtype, const Shape& shape) {
  Generator gen(5);
  return {uniform(shape, -30, 30, gen, dtype), rand(shape, gen, dtype)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fast_paths)

BOOST_AUTO_TEST_CASE_TEMPLATE(bce_with_logits_matches_its_composite, T, FloatTypes) {
  const DType dtype = dtype_of<T>();
  const double tol = tolerance<T>();
  for (const Shape& shape : {Shape{7}, Shape{5, 33}}) {
    const auto in = bce_inputs(dtype, shape);
    const Fn fused = [](auto& x) { return binary_cross_entropy_with_logits(x[0], x[1]); };
    const Fn fused_sum = [](auto& x) { return binary_cross_entropy_with_logits_sum(x[0], x[1]); };
    const Fn composite = [](auto& x) {
      return reference::binary_cross_entropy_with_logits(x[0], x[1]);
    };
    const Fn composite_sum = [](auto& x) {
      return sum(reference::binary_cross_entropy_with_logits(x[0], x[1]));
    };
    const Result want = run(composite, in, false), want_sum = run(composite_sum, in, false);
    check_same("elementwise, fast backward", run(fused, in, false), want, tol);
    check_same("elementwise, recorded backward", run(fused, in, true), want, tol);
    check_same("summed, fast backward", run(fused_sum, in, false), want_sum, tol * 10);
    check_same("summed, recorded backward", run(fused_sum, in, true), want_sum, tol * 10);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(linear_matches_matmul_plus_bias, T, FloatTypes) {
  const DType dtype = dtype_of<T>();
  Generator gen(6);
  const std::vector<Tensor> in{randn({9, 17}, gen, dtype), randn({5, 17}, gen, dtype),
                               randn({5}, gen, dtype)};
  const Fn fused = [](auto& x) { return linear(x[0], x[1], x[2]); };
  const Fn composite = [](auto& x) { return reference::linear(x[0], x[1], x[2]); };
  const Result want = run(composite, in, false);
  check_same("fast backward", run(fused, in, false), want, tolerance<T>());
  check_same("recorded backward", run(fused, in, true), want, tolerance<T>());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(relu_fast_backward_matches_the_recorded_one, T, FloatTypes) {
  const DType dtype = dtype_of<T>();
  Generator gen(7);
  // Zeros included: the gradient there is 0 on both paths.
  const Tensor x =
      where(rand({4, 19}, gen, dtype) > 0.8, zeros({4, 19}, dtype), randn({4, 19}, gen, dtype));
  const Fn f = [](auto& v) { return relu(v[0]); };
  check_same("relu", run(f, {x}, false), run(f, {x}, true), 0);
}

BOOST_AUTO_TEST_CASE(fused_ops_fall_back_to_the_composite_when_operands_broadcast) {
  Generator gen(8);
  const std::vector<Tensor> in{randn({4, 3}, gen, DType::float64), rand({3}, gen, DType::float64)};
  const Fn fused = [](auto& x) { return binary_cross_entropy_with_logits_sum(x[0], x[1]); };
  const Fn composite = [](auto& x) {
    return sum(reference::binary_cross_entropy_with_logits(x[0], x[1]));
  };
  check_same("bce_with_logits_sum, target (3,)", run(fused, in, false), run(composite, in, false),
             1e-12);
  // linear without a bias is the matmul alone.
  const Variable x(randn({2, 3}, gen)), w(randn({4, 3}, gen));
  check_tensor(linear(x, w, Variable()).data(), {2, 4},
               matmul(x.data(), w.data(), false, true).to_vector<double>(), 0);
}

BOOST_AUTO_TEST_SUITE_END()
