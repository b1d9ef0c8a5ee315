// Differential test of the elementwise tensor kernels: arithmetic, math functions, comparisons,
// where, in-place updates and broadcast_to against a plain scalar loop, on random shapes that
// straddle every SIMD width (why: kernel_reference.hpp).
#include <boost/test/unit_test.hpp>

#include <functional>

#include "kernel_reference.hpp"

namespace xtgrad {
namespace {

using namespace testing::kernels;

// --- elementwise ---------------------------------------------------------------------------------

struct BinaryOp {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> kernel;
  std::function<double(double, double)> reference;  // computed in double, then rounded
  double tolerance_ulps;                            // 0: exact
};

// PyTorch's maximum and minimum: NaN in either position gives NaN.
double nan_maximum(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
}
double nan_minimum(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
}

const std::vector<BinaryOp> kBinaryOps = {
    {"add", [](const Tensor& a, const Tensor& b) { return add(a, b); }, std::plus<>(), 0},
    {"sub", [](const Tensor& a, const Tensor& b) { return sub(a, b); }, std::minus<>(), 0},
    {"mul", [](const Tensor& a, const Tensor& b) { return mul(a, b); }, std::multiplies<>(), 0},
    {"div", [](const Tensor& a, const Tensor& b) { return div(a, b); }, std::divides<>(), 0},
    {"maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); }, nan_maximum, 0},
    {"minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); }, nan_minimum, 0},
    {"pow", [](const Tensor& a, const Tensor& b) { return pow(abs(a), b); },
     [](double a, double b) { return std::pow(std::abs(a), b); }, 8},
};

BOOST_AUTO_TEST_CASE(binary_ops_agree_with_a_scalar_loop_on_every_broadcast_pattern) {
  std::mt19937_64 rng(1);
  for (const Shape& full : output_shapes(rng)) {
    for (const auto& [sa, sb] : operand_pairs(rng, full)) {
      const Shape out = broadcast_shapes("test", sa, sb);
      for (DType dtype : kFloats) {
        const Tensor a = random_tensor(rng, sa, dtype), b = random_tensor(rng, sb, dtype);
        const Values va = a.to_vector<double>(), vb = b.to_vector<double>();
        for (const BinaryOp& op : kBinaryOps) {
          Values want(static_cast<std::size_t>(shape_numel(out)));
          for (std::int64_t i = 0; i < shape_numel(out); ++i) {
            const double x = va[source_index(out, sa, i)], y = vb[source_index(out, sb, i)];
            // NOTE: + - * / computed in double and rounded once to float32 give float32's own
            // correctly rounded result (double has more than 2 * 24 + 2 bits).
            want[i] = round_to(dtype, op.reference(x, y));
          }
          check_values(describe(op.name, dtype, {sa, sb}), op.kernel(a, b), out, dtype, want,
                       ulps(dtype, op.tolerance_ulps), ulps(dtype, op.tolerance_ulps));
        }
      }
    }
  }
}

struct UnaryOp {
  const char* name;
  std::function<Tensor(const Tensor&)> kernel;
  std::function<double(double)> reference;
  double tolerance_ulps;
};

const std::vector<UnaryOp> kUnaryOps = {
    {"neg", [](const Tensor& x) { return neg(x); }, [](double x) { return -x; }, 0},
    {"abs", [](const Tensor& x) { return abs(x); }, [](double x) { return std::abs(x); }, 0},
    {"square", [](const Tensor& x) { return square(x); }, [](double x) { return x * x; }, 1},
    {"sqrt", [](const Tensor& x) { return sqrt(x); }, [](double x) { return std::sqrt(x); }, 1},
    {"exp", [](const Tensor& x) { return exp(x); }, [](double x) { return std::exp(x); }, 8},
    {"log", [](const Tensor& x) { return log(x); }, [](double x) { return std::log(x); }, 8},
    {"log1p", [](const Tensor& x) { return log1p(x); }, [](double x) { return std::log1p(x); }, 8},
    {"tanh", [](const Tensor& x) { return tanh(x); }, [](double x) { return std::tanh(x); }, 8},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); },
     [](double x) { return 1 / (1 + std::exp(-x)); }, 8},
    // relu keeps NaN, as PyTorch's does.
    {"relu", [](const Tensor& x) { return relu(x); },
     [](double x) { return std::isnan(x) ? x
                           : x > 0       ? x
                                         : 0.0; }, 0},
    {"sign", [](const Tensor& x) { return sign(x); },
     [](double x) { return std::isnan(x) ? x
                           : x > 0       ? 1.0
                           : x < 0       ? -1.0
                                         : 0.0; }, 0},
    {"clamp", [](const Tensor& x) { return clamp(x, -1.5, 2.0); },
     [](double x) { return std::isnan(x) ? x : std::min(std::max(x, -1.5), 2.0); }, 0},
    {"pow 3", [](const Tensor& x) { return pow(x, 3.0); }, [](double x) { return x * x * x; }, 8},
    {"x + 2.5", [](const Tensor& x) { return x + 2.5; }, [](double x) { return x + 2.5; }, 1},
    {"2.5 - x", [](const Tensor& x) { return 2.5 - x; }, [](double x) { return 2.5 - x; }, 1},
    {"x * 0.5", [](const Tensor& x) { return x * 0.5; }, [](double x) { return x * 0.5; }, 0},
    {"0.5 / x", [](const Tensor& x) { return 0.5 / x; }, [](double x) { return 0.5 / x; }, 1},
};

BOOST_AUTO_TEST_CASE(unary_ops_agree_with_a_scalar_loop_at_every_simd_width) {
  std::mt19937_64 rng(2);
  for (const Shape& shape : output_shapes(rng)) {
    for (DType dtype : kFloats) {
      const Tensor x = random_tensor(rng, shape, dtype);
      const Values vx = x.to_vector<double>();
      for (const UnaryOp& op : kUnaryOps) {
        Values want(vx.size());
        for (std::size_t i = 0; i < vx.size(); ++i) want[i] = round_to(dtype, op.reference(vx[i]));
        // Math functions near 0 (tanh, log1p, sigmoid of large -x) get an absolute floor too.
        check_values(describe(op.name, dtype, {shape}), op.kernel(x), shape, dtype, want,
                     ulps(dtype, op.tolerance_ulps), ulps(dtype, op.tolerance_ulps) * 1e-3);
      }
    }
  }
}

// --- comparisons and where -------------------------------------------------------------------------

struct CompareOp {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> kernel;
  std::function<bool(double, double)> reference;
};

const std::vector<CompareOp> kCompareOps = {
    {"eq", [](const Tensor& a, const Tensor& b) { return a == b; }, std::equal_to<>()},
    {"ne", [](const Tensor& a, const Tensor& b) { return a != b; }, std::not_equal_to<>()},
    {"lt", [](const Tensor& a, const Tensor& b) { return a < b; }, std::less<>()},
    {"le", [](const Tensor& a, const Tensor& b) { return a <= b; }, std::less_equal<>()},
    {"gt", [](const Tensor& a, const Tensor& b) { return a > b; }, std::greater<>()},
    {"ge", [](const Tensor& a, const Tensor& b) { return a >= b; }, std::greater_equal<>()},
};

BOOST_AUTO_TEST_CASE(comparisons_agree_with_a_scalar_loop_for_every_dtype_and_pattern) {
  std::mt19937_64 rng(3);
  for (const Shape& full : output_shapes(rng)) {
    for (const auto& [sa, sb] : operand_pairs(rng, full)) {
      const Shape out = broadcast_shapes("test", sa, sb);
      for (DType dtype : kAllDTypes) {
        const Tensor a = random_tensor(rng, sa, dtype), b = random_tensor(rng, sb, dtype);
        const Values va = a.to_vector<double>(), vb = b.to_vector<double>();
        for (const CompareOp& op : kCompareOps) {
          Values want(static_cast<std::size_t>(shape_numel(out)));
          for (std::int64_t i = 0; i < shape_numel(out); ++i) {
            want[i] = op.reference(va[source_index(out, sa, i)], vb[source_index(out, sb, i)]);
          }
          check_values(describe(op.name, dtype, {sa, sb}), op.kernel(a, b), out, DType::boolean,
                       want, 0);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(where_agrees_with_a_scalar_loop_with_all_three_operands_broadcast) {
  std::mt19937_64 rng(4);
  for (const Shape& full : output_shapes(rng)) {
    const std::vector<Shape> all = all_operand_shapes(full);
    for (const Shape& sc : all) {
      for (DType dtype : kFloats) {
        // The condition takes every pattern; a and b random ones, and a 0-d b (relu's case).
        for (const Shape& sb : {pick(rng, all), Shape{}}) {
          const Shape sa = pick(rng, all);
          const Shape out = broadcast_shapes("test", broadcast_shapes("test", sc, sa), sb);
          const Tensor c = random_tensor(rng, sc, DType::boolean);
          const Tensor a = random_tensor(rng, sa, dtype), b = random_tensor(rng, sb, dtype);
          const Values vc = c.to_vector<double>(), va = a.to_vector<double>(),
                       vb = b.to_vector<double>();
          Values want(static_cast<std::size_t>(shape_numel(out)));
          for (std::int64_t i = 0; i < shape_numel(out); ++i) {
            want[i] = vc[source_index(out, sc, i)] != 0 ? va[source_index(out, sa, i)]
                                                        : vb[source_index(out, sb, i)];
          }
          check_values(describe("where", dtype, {sc, sa, sb}), where(c, a, b), out, dtype, want, 0);
        }
      }
    }
  }
}

// --- in-place updates and broadcasting ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(in_place_updates_and_broadcast_to_agree_with_a_scalar_loop) {
  std::mt19937_64 rng(5);
  for (const Shape& out : output_shapes(rng)) {
    for (const Shape& s : all_operand_shapes(out)) {
      for (DType dtype : kFloats) {
        const Tensor target = random_tensor(rng, out, dtype), src = random_tensor(rng, s, dtype);
        const Values vt = target.to_vector<double>(), vs = src.to_vector<double>();
        Values copied(vt.size()), added(vt.size()), multiplied(vt.size());
        for (std::size_t i = 0; i < vt.size(); ++i) {
          const double x = vs[source_index(out, s, static_cast<std::int64_t>(i))];
          copied[i] = x;
          added[i] = round_to(dtype, vt[i] + round_to(dtype, -0.25 * x));
          multiplied[i] = round_to(dtype, vt[i] * x);
        }
        const std::vector<Shape> shapes = {out, s};
        check_values(describe("copy_", dtype, shapes), target.clone().copy_(src), out, dtype,
                     copied, 0);
        check_values(describe("add_", dtype, shapes), target.clone().add_(src, -0.25), out, dtype,
                     added, ulps(dtype, 1));
        check_values(describe("mul_", dtype, shapes), target.clone().mul_(src), out, dtype,
                     multiplied, 0);
        check_values(describe("broadcast_to", dtype, shapes), broadcast_to(src, out), out, dtype,
                     copied, 0);
      }
    }
  }
}

}  // namespace
}  // namespace xtgrad
