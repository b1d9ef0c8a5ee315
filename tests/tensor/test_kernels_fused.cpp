// Differential test of the fused kernels (tensor/fused.hpp, linear in tensor/linalg.hpp): each
// against its reference computed in double by a scalar loop, at shapes that straddle every SIMD
// width, with special values, in the host-level and the baseline build (kernel_reference.hpp).
// The float32 transcendental parts (Cephes-style exp and log, fused.cpp) are also swept
// densely over the range where they matter.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "kernel_reference.hpp"
#include "tensor/fused.hpp"

namespace xtgrad {
namespace {

using namespace testing::kernels;

// Every shape the elementwise tests use, with both operands of the same shape.
std::vector<Shape> same_shapes() {
  std::mt19937_64 rng(7);
  return output_shapes(rng);
}

// Targets in [0, 1], some exactly 0 or 1 (the BCE of a binary image), in the dtype.
Tensor random_targets(std::mt19937_64& rng, const Shape& shape, DType dtype) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> kind(0, 3);
  Values v(static_cast<std::size_t>(shape_numel(shape)));
  for (double& x : v) x = kind(rng) == 0 ? 0.0 : kind(rng) == 1 ? 1.0 : unit(rng);
  return Tensor(v, shape).to(dtype);
}

// The references, in double: l = max(z, 0) - z t + log1p(e^-|z|) and sigmoid(z).
double bce_logits_reference(double z, double t) {
  return (z > 0 ? z : 0.0) - z * t + std::log1p(std::exp(-std::abs(z)));
}
double sigmoid_reference(double z) {
  const double e = std::exp(-std::abs(z));
  return (z >= 0 ? 1.0 : e) / (1.0 + e);
}

// The tolerance of a BCE value: a few ulp of the terms it is made of (z t can cancel against
// max(z, 0), so the error is relative to |z| + the softplus part, not to l).
double bce_abs_tolerance(DType dtype, double z) { return ulps(dtype, 4) * (std::abs(z) + 1.0); }

BOOST_AUTO_TEST_CASE(relu_backward_is_where_y_le_0_at_every_width) {
  std::mt19937_64 rng(1);
  for (const Shape& shape : same_shapes()) {
    for (DType dtype : kFloats) {
      const Tensor g = random_tensor(rng, shape, dtype), y = random_tensor(rng, shape, dtype);
      const Values vg = g.to_vector<double>(), vy = y.to_vector<double>();
      Values want(vg.size());
      // PyTorch's threshold_backward: y <= 0 ? 0 : g, so a NaN y passes g on.
      for (std::size_t i = 0; i < want.size(); ++i) want[i] = vy[i] <= 0 ? 0.0 : vg[i];
      check_values(describe("relu_backward", dtype, {shape}), relu_backward(g, y), shape, dtype,
                   want, 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(bce_with_logits_and_its_sum_and_gradient_match_float64_at_every_width) {
  std::mt19937_64 rng(2);
  for (const Shape& shape : same_shapes()) {
    for (DType dtype : kFloats) {
      const Tensor z = random_tensor(rng, shape, dtype), t = random_targets(rng, shape, dtype);
      const Tensor g = random_tensor(rng, shape, dtype, /*specials=*/false);
      const Values vz = z.to_vector<double>(), vt = t.to_vector<double>(),
                   vg = g.to_vector<double>();
      Values loss(vz.size()), grad(vz.size()), grad_of_sum(vz.size());
      double total = 0;
      double tolerance = 0;
      const double g0 = 0.75;
      for (std::size_t i = 0; i < vz.size(); ++i) {
        loss[i] = bce_logits_reference(vz[i], vt[i]);
        total += loss[i];
        tolerance = std::max(tolerance, bce_abs_tolerance(dtype, vz[i]));
        grad[i] = vg[i] * (sigmoid_reference(vz[i]) - vt[i]);
        grad_of_sum[i] = g0 * (sigmoid_reference(vz[i]) - vt[i]);
      }
      const std::string what = describe("bce_with_logits", dtype, {shape});
      check_values(what, bce_with_logits(z, t), shape, dtype, loss, ulps(dtype, 4), tolerance);
      check_values(what + " sum", bce_with_logits_sum(z, t), {}, dtype, {total}, ulps(dtype, 4),
                   tolerance * static_cast<double>(vz.size()));
      check_values(what + " backward", bce_with_logits_backward(g, z, t), shape, dtype, grad,
                   ulps(dtype, 4), ulps(dtype, 4) * 8);
      check_values(what + " backward of the sum",
                   bce_with_logits_backward(full({}, g0, dtype), z, t), shape, dtype, grad_of_sum,
                   ulps(dtype, 4), ulps(dtype, 4));
    }
  }
}

// The float32 exp and log of fused.cpp, through softplus(z) = l(z, t = 0) for z <= 0
// (= log1p(e^z): both functions) and sigmoid(z) = grad_z(g = 1, t = 0), on 200,001 points.
BOOST_AUTO_TEST_CASE(float32_softplus_and_sigmoid_are_within_4_ulp_over_their_range) {
  const std::int64_t n = 200001;
  std::vector<float> values(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) values[i] = static_cast<float>(-110.0 + 220.0 * i / (n - 1));
  const Tensor z =
      Tensor(std::vector<double>(values.begin(), values.end()), {n}).to(DType::float32);
  const Tensor t0 = zeros({n}, DType::float32);
  const Values softplus = bce_with_logits(z, t0).to_vector<double>();
  const Values sigmoid =
      bce_with_logits_backward(ones({}, DType::float32), z, t0).to_vector<double>();
  const double ulp4 = ulps(DType::float32, 4);
  double worst_softplus = 0, worst_sigmoid = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double zi = values[static_cast<std::size_t>(i)];
    const double want_softplus = bce_logits_reference(zi, 0.0),
                 want_sigmoid = sigmoid_reference(zi);
    // Below e^-87 (1.6e-38) the kernels flush to 0: an absolute error under 1.2e-38 is allowed.
    const double tiny = 1.2e-38;
    worst_softplus =
        std::max(worst_softplus, (std::abs(softplus[i] - want_softplus) - tiny) / want_softplus);
    worst_sigmoid =
        std::max(worst_sigmoid, (std::abs(sigmoid[i] - want_sigmoid) - tiny) / want_sigmoid);
  }
  BOOST_TEST(worst_softplus <= ulp4, "softplus: worst relative error " << worst_softplus);
  BOOST_TEST(worst_sigmoid <= ulp4, "sigmoid: worst relative error " << worst_sigmoid);
}

// Infinite, NaN and huge logits follow the formula (as the composite softplus(z) - z t does:
// an infinite z times a target of 0 is NaN), and never overflow: e^-|z| <= 1.
BOOST_AUTO_TEST_CASE(bce_with_logits_special_values_follow_the_formula) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  const Values vz{nan, inf, -inf, inf, -inf, 0.0, -0.0, -200.0, 200.0, -90.0, 90.0};
  const Values vt{0.5, 0.0, 1.0, 1.0, 0.0, 0.5, 0.5, 0.0, 1.0, 0.25, 0.25};
  const Shape shape{static_cast<std::int64_t>(vz.size())};
  Values loss(vz.size()), sigmoid(vz.size());
  for (std::size_t i = 0; i < vz.size(); ++i) {
    loss[i] = bce_logits_reference(vz[i], vt[i]);
    sigmoid[i] = sigmoid_reference(vz[i]) - vt[i];
  }
  BOOST_TEST(std::isnan(loss[1]));  // the reference itself: inf * 0
  for (DType dtype : kFloats) {
    const Tensor z = Tensor(vz, shape).to(dtype), t = Tensor(vt, shape).to(dtype);
    // (At z = -200, log(1 + e^-200) = 1.4e-87 is below float32's range: 0 is within 1.2e-38.)
    check_values(describe("bce_with_logits specials", dtype, {shape}), bce_with_logits(z, t), shape,
                 dtype, loss, ulps(dtype, 2), 1.2e-38);
    check_values(describe("bce_with_logits_backward specials", dtype, {shape}),
                 bce_with_logits_backward(ones({}, dtype), z, t), shape, dtype, sigmoid,
                 ulps(dtype, 2), 1.2e-38);
  }
}

// NOTE: within a few ulp of the terms, not bit for bit: where the level has FMA, the reference's
// xtensor expressions and fused.cpp's loop contract different a * b + c into one instruction,
// and m = beta1 m + (1 - beta1) g can cancel, so the bound is absolute (the terms are below 10).
BOOST_AUTO_TEST_CASE(adam_update_agrees_with_its_reference) {
  std::mt19937_64 rng(3);
  for (std::int64_t size : kInnerSizes) {
    for (DType dtype : kFloats) {
      const Shape shape{3, size};
      Tensor w = random_tensor(rng, shape, dtype, false), w_ref = w.clone();
      Tensor m = zeros(shape, dtype), v = zeros(shape, dtype), m_ref = m.clone(), v_ref = v.clone();
      for (int step = 1; step <= 3; ++step) {
        const Tensor g = random_tensor(rng, shape, dtype, false);
        const AdamUpdate u{0.9, 0.999, 1e-8, 1e-3 / (1 - std::pow(0.9, step)),
                           1 - std::pow(0.999, step)};
        adam_update_(w, g, m, v, u);
        adam_update_reference_(w_ref, g, m_ref, v_ref, u);
      }
      const std::string what = describe("adam_update_", dtype, {shape});
      check_values(what + " w", w, shape, dtype, w_ref.to_vector<double>(), ulps(dtype, 2),
                   ulps(dtype, 20));
      check_values(what + " m", m, shape, dtype, m_ref.to_vector<double>(), ulps(dtype, 2),
                   ulps(dtype, 20));
      check_values(what + " v", v, shape, dtype, v_ref.to_vector<double>(), ulps(dtype, 2),
                   ulps(dtype, 20));
    }
  }
}

BOOST_AUTO_TEST_CASE(linear_is_matmul_plus_bias_at_every_width) {
  std::mt19937_64 rng(4);
  for (std::int64_t out : kInnerSizes) {
    for (DType dtype : kFloats) {
      const std::int64_t n = 5, in = 37;
      const Tensor x = random_tensor(rng, {n, in}, dtype, false),
                   w = random_tensor(rng, {out, in}, dtype, false);
      const Tensor b = random_tensor(rng, {out}, dtype, false);
      const Values want = add(matmul(x, w, false, true), b).to_vector<double>();
      // One GEMM adding into the bias rounds in another order than GEMM then add: a few ulp of
      // the largest partial sum.
      check_values(describe("linear", dtype, {{n, in}, {out, in}, {out}}), linear(x, w, b),
                   {n, out}, dtype, want, ulps(dtype, 64), ulps(dtype, 64) * 100);
    }
  }
}

BOOST_AUTO_TEST_CASE(fused_kernels_name_the_op_and_the_shapes_in_errors) {
  const Tensor a = zeros({2, 3}), b = zeros({3});
  BOOST_CHECK_EXCEPTION(bce_with_logits(a, b), ShapeError, [](const ShapeError& e) {
    return std::string(e.what()) ==
           "bce_with_logits: operands of shapes (2, 3) and (3,) differ "
           "(this fused kernel does not broadcast)";
  });
  BOOST_CHECK_THROW(relu_backward(a, a.to(DType::float64)), DTypeError);
  BOOST_CHECK_THROW(bce_with_logits_sum(a.to(DType::int64), a.to(DType::int64)), DTypeError);
  BOOST_CHECK_EXCEPTION(
      bce_with_logits_backward(zeros({2}), a, a), ShapeError, [](const ShapeError& e) {
        return std::string(e.what()).find("neither 0-d nor the logits' shape (2, 3)") !=
               std::string::npos;
      });
  BOOST_CHECK_EXCEPTION(linear(a, zeros({4, 3}), zeros({3})), ShapeError, [](const ShapeError& e) {
    return std::string(e.what()) ==
           "linear: the bias has shape (3,) but (2, 3) @ (4, 3)^T needs (4,)";
  });
  BOOST_CHECK_THROW(linear(a, zeros({4, 2}), zeros({4})), ShapeError);
}

}  // namespace
}  // namespace xtgrad
