// Differential test of the tensor kernels: every elementwise op, comparison, where, reduction
// and broadcast against a plain scalar loop written here, on random shapes.
//
// Why: the kernels are xtensor expressions that xsimd compiles into different machine code at
// each instruction-set level, and a bug can live at one level only. On an AVX2 machine,
// comparisons with a broadcast operand once left part of their mask unwritten, but only once a
// row reached the SIMD width (4 doubles or 8 floats); tests with 3 columns could not see it.
// So the shapes here straddle every SIMD width (1 to 33 along the last axis), the operands take
// every broadcast pattern, and every dtype an op takes is tried. CMake builds this file twice:
// test_kernels against the library compiled for this CPU's level, and test_kernels_baseline
// against the same library compiled for plain x86-64 (SSE2).
//
// Exact ops (arithmetic, comparisons, where, max/min, in-place updates) must agree bit for bit
// (0 and -0 count as equal, NaN must meet NaN); transcendental functions and sums within a few
// units in the last place.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tensor/all.hpp"

namespace xtgrad {
namespace {

using Values = std::vector<double>;

// --- shapes and broadcast patterns ---------------------------------------------------------------

// Sizes of the last axis: both sides of 2, 4, 8 and 16 lanes (SSE2 to AVX-512, float64 and
// float32), and of 32 (an AVX-512 float32 register unrolled twice).
const std::vector<std::int64_t> kInnerSizes = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33};
// Sizes of the other axes: small, so that a case stays cheap, but past 1, 2 and 8.
const std::vector<std::int64_t> kOuterSizes = {1, 2, 3, 5, 8, 9};

template <class T> T pick(std::mt19937_64& rng, const std::vector<T>& from) {
  return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

Shape random_shape(std::mt19937_64& rng, std::size_t rank) {
  Shape shape(rank);
  for (std::size_t k = 0; k < rank; ++k) {
    shape[k] = k + 1 == rank ? pick(rng, kInnerSizes) : pick(rng, kOuterSizes);
  }
  return shape;
}

// The operand shape that broadcasts to `out` by pattern: the `drop` leading axes are left out,
// and axis k of the rest is 1 where bit k of `ones` is set.
Shape operand_shape(const Shape& out, unsigned ones, std::size_t drop) {
  Shape shape;
  for (std::size_t k = drop; k < out.size(); ++k) {
    shape.push_back((ones >> k) & 1u ? 1 : out[k]);
  }
  return shape;
}

// Every broadcast pattern of a rank-r output: 2^r choices of size-1 axes, times r+1 ranks.
std::vector<Shape> all_operand_shapes(const Shape& out) {
  std::vector<Shape> shapes;
  for (std::size_t drop = 0; drop <= out.size(); ++drop) {
    for (unsigned ones = 0; ones < (1u << out.size()); ++ones) {
      if (drop > 0 && (ones & ((1u << drop) - 1)) != 0) continue;  // dropped axes have no bit
      shapes.push_back(operand_shape(out, ones, drop));
    }
  }
  return shapes;
}

// Output shapes of rank 0 to 3, several per rank.
std::vector<Shape> output_shapes(std::mt19937_64& rng) {
  std::vector<Shape> shapes = {{}, {1}, {8}, {33}, {4, 1}, {9, 8}, {3, 16}};
  for (std::size_t rank = 1; rank <= 3; ++rank) {
    for (int i = 0; i < 8; ++i) shapes.push_back(random_shape(rng, rank));
  }
  return shapes;
}

// A pair of operand shapes to try against `out`: every pattern for one side with a random
// pattern for the other, then the other way round.
std::vector<std::pair<Shape, Shape>> operand_pairs(std::mt19937_64& rng, const Shape& out) {
  const std::vector<Shape> all = all_operand_shapes(out);
  std::vector<std::pair<Shape, Shape>> pairs;
  for (const Shape& s : all) {
    pairs.emplace_back(s, pick(rng, all));
    pairs.emplace_back(pick(rng, all), s);
  }
  pairs.emplace_back(out, out);
  return pairs;
}

// The flat index in an operand of shape `in` (broadcast to `out`) of out's element `flat`.
std::int64_t source_index(const Shape& out, const Shape& in, std::int64_t flat) {
  std::int64_t index = 0, stride = 1;
  for (std::size_t k = 0; k < out.size(); ++k) {
    const std::size_t axis = out.size() - 1 - k;
    const std::int64_t i = flat % out[axis];
    flat /= out[axis];
    if (k < in.size()) {
      const std::int64_t size = in[in.size() - 1 - k];
      if (size != 1) index += i * stride;
      stride *= size;
    }
  }
  return index;
}

// --- values --------------------------------------------------------------------------------------

// Random values of a dtype: mostly normal(0, 3), a share of small integers (so that == and
// ties happen), and for floats some 0, -0, inf, -inf and NaN.
Tensor random_tensor(std::mt19937_64& rng, const Shape& shape, DType dtype, bool specials = true) {
  std::normal_distribution<double> normal(0.0, 3.0);
  std::uniform_int_distribution<int> small(-2, 2), kind(0, 19);
  const double specials_list[] = {0.0, -0.0, std::numeric_limits<double>::infinity(),
                                  -std::numeric_limits<double>::infinity(),
                                  std::numeric_limits<double>::quiet_NaN()};
  Values v(static_cast<std::size_t>(shape_numel(shape)));
  for (double& x : v) {
    const int k = kind(rng);
    if (dtype == DType::boolean) {
      x = k % 2;
    } else if (dtype == DType::int64) {
      x = k < 10 ? small(rng) : std::round(normal(rng) * 10);
    } else if (specials && k == 0) {
      x = specials_list[std::uniform_int_distribution<int>(0, 4)(rng)];
    } else {
      x = k < 6 ? small(rng) : normal(rng);
    }
  }
  const Tensor t = Tensor(v, shape.empty() ? Shape{} : shape);
  return t.to(dtype);
}

const DType kFloats[] = {DType::float32, DType::float64};
const DType kAllDTypes[] = {DType::float32, DType::float64, DType::int64, DType::boolean};

// Rounds a reference value computed in double to the dtype, as the kernel's result is.
double round_to(DType dtype, double x) {
  return dtype == DType::float32 ? static_cast<double>(static_cast<float>(x)) : x;
}

// Tolerances, relative: exact ops 0; math functions a few ulp; sums grow with the count.
double ulps(DType dtype, double n) {
  return n * (dtype == DType::float32 ? std::numeric_limits<float>::epsilon()
                                      : std::numeric_limits<double>::epsilon());
}

std::string describe(const std::string& op, DType dtype, const std::vector<Shape>& shapes) {
  std::ostringstream s;
  s << op << " " << dtype_name(dtype);
  for (const Shape& shape : shapes) s << " " << shape_str(shape);
  return s.str();
}

// Checks got against want element by element; one error per case, naming the first mismatch.
void check_values(const std::string& what, const Tensor& got, const Shape& shape, DType dtype,
                  const Values& want, double rel_tol, double abs_tol = 0) {
  if (got.dtype() != dtype || got.shape() != shape) {
    BOOST_ERROR(what << ": got " << dtype_name(got.dtype()) << " " << shape_str(got.shape())
                     << ", want " << dtype_name(dtype) << " " << shape_str(shape));
    return;
  }
  const Values g = got.to_vector<double>();
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double w = want[i];
    const bool ok = std::isnan(w)   ? std::isnan(g[i])
                    : std::isinf(w) ? g[i] == w
                                    : std::abs(g[i] - w) <= abs_tol + rel_tol * std::abs(w);
    if (!ok) {
      BOOST_ERROR(what << ": element " << i << " is " << g[i] << ", want " << w);
      return;
    }
  }
  BOOST_TEST(true);  // one assertion per case, so that a case that checked something counts
}

// --- elementwise ---------------------------------------------------------------------------------

struct BinaryOp {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> kernel;
  std::function<double(double, double)> reference;  // computed in double, then rounded
  double tolerance_ulps;                               // 0: exact
};

// PyTorch's maximum and minimum: NaN in either position gives NaN.
double nan_maximum(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b); }
double nan_minimum(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b); }

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
     [](double x) { return std::isnan(x) ? x : x > 0 ? x : 0.0; }, 0},
    {"sign", [](const Tensor& x) { return sign(x); },
     [](double x) { return std::isnan(x) ? x : x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }, 0},
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

// --- reductions ------------------------------------------------------------------------------------

// Every subset of axes of a rank-r shape, as Axes lists.
std::vector<Axes> axis_subsets(std::size_t rank) {
  std::vector<Axes> subsets;
  for (unsigned bits = 1; bits < (1u << rank); ++bits) {
    Axes axes;
    for (std::size_t k = 0; k < rank; ++k) {
      if ((bits >> k) & 1u) axes.push_back(static_cast<std::int64_t>(k));
    }
    subsets.push_back(axes);
  }
  return subsets;
}

// x's shape with `axes` set to 1: the keepdim result, and the shape the reference folds into.
Shape kept_shape(const Shape& shape, const Axes& axes) {
  Shape kept = shape;
  for (std::int64_t a : axes) kept[static_cast<std::size_t>(a)] = 1;
  return kept;
}

Shape dropped_shape(const Shape& shape, const Axes& axes) {
  Shape dropped;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(k)) == axes.end()) {
      dropped.push_back(shape[k]);
    }
  }
  return dropped;
}

BOOST_AUTO_TEST_CASE(reductions_agree_with_a_scalar_loop_over_every_axis_subset) {
  std::mt19937_64 rng(6);
  for (const Shape& shape : output_shapes(rng)) {
    for (const Axes& axes : axis_subsets(shape.size())) {
      for (DType dtype : kFloats) {
        const Tensor x = random_tensor(rng, shape, dtype, /*specials=*/false);
        const Tensor with_nan = random_tensor(rng, shape, dtype, /*specials=*/true);
        const Shape kept = kept_shape(shape, axes);
        const std::size_t n_out = static_cast<std::size_t>(shape_numel(kept));
        const double count = static_cast<double>(shape_numel(shape)) / static_cast<double>(n_out);
        const Values vx = x.to_vector<double>(), vn = with_nan.to_vector<double>();
        Values sums(n_out, 0), abs_sums(n_out, 0), maxes(n_out, -INFINITY), mins(n_out, INFINITY);
        for (std::int64_t i = 0; i < shape_numel(shape); ++i) {
          // The element's slot in the reduced result: its index with the reduced axes at 0.
          const std::int64_t slot = source_index(shape, kept, i);
          sums[slot] += vx[i];
          abs_sums[slot] += std::abs(vx[i]);
          const double v = vn[i];
          maxes[slot] = std::isnan(maxes[slot]) || std::isnan(v) ? NAN : std::max(maxes[slot], v);
          mins[slot] = std::isnan(mins[slot]) || std::isnan(v) ? NAN : std::min(mins[slot], v);
        }
        Values means(n_out), vars(n_out, 0);
        for (std::size_t j = 0; j < n_out; ++j) means[j] = sums[j] / count;
        for (std::int64_t i = 0; i < shape_numel(shape); ++i) {
          const std::int64_t slot = source_index(shape, kept, i);
          vars[slot] += (vx[i] - means[slot]) * (vx[i] - means[slot]) / (count - 1);
        }
        const double tol = ulps(dtype, 4 * count);
        for (bool keepdim : {false, true}) {
          const Shape result = keepdim ? kept : dropped_shape(shape, axes);
          const std::vector<Shape> shapes = {shape, axes, keepdim ? Shape{1} : Shape{0}};
          // Sums: the error grows with the sum of |x|, not with the (possibly cancelling) sum.
          Values sum_want = sums;
          const Tensor s = sum(x, axes, keepdim);
          const Values got = s.to_vector<double>();
          for (std::size_t j = 0; j < n_out; ++j) {
            if (std::abs(got[j] - sums[j]) <= tol * abs_sums[j]) sum_want[j] = got[j];
          }
          check_values(describe("sum", dtype, shapes), s, result, dtype, sum_want, 0);
          check_values(describe("mean", dtype, shapes), mean(x, axes, keepdim), result, dtype,
                       means, tol, tol);
          check_values(describe("max", dtype, shapes), max(with_nan, axes, keepdim), result, dtype,
                       maxes, 0);
          check_values(describe("min", dtype, shapes), min(with_nan, axes, keepdim), result, dtype,
                       mins, 0);
          if (count > 1) {
            check_values(describe("var", dtype, shapes), var(x, axes, keepdim), result, dtype,
                         vars, 8 * tol, 8 * tol);
          }
        }
        // sum_to: the reduction autograd uses to undo broadcasting.
        check_values(describe("sum_to", dtype, {shape, kept}), sum_to(x, kept), kept, dtype, sums,
                     tol, tol * 10);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(argmax_agrees_with_a_scalar_loop_on_every_axis) {
  std::mt19937_64 rng(7);
  for (const Shape& shape : output_shapes(rng)) {
    for (std::size_t axis = 0; axis < shape.size(); ++axis) {
      for (DType dtype : kFloats) {
        const Tensor x = random_tensor(rng, shape, dtype);
        const Values vx = x.to_vector<double>();
        const Shape kept = kept_shape(shape, {static_cast<std::int64_t>(axis)});
        Values best(static_cast<std::size_t>(shape_numel(kept)), NAN), arg(best.size(), -1);
        // The first maximum of each slice wins ties; the first NaN beats everything.
        std::int64_t inner = 1;
        for (std::size_t k = axis + 1; k < shape.size(); ++k) inner *= shape[k];
        for (std::int64_t i = 0; i < shape_numel(shape); ++i) {
          const std::int64_t slot = source_index(shape, kept, i);
          const double position = static_cast<double>((i / inner) % shape[axis]);
          const double v = vx[i];
          const bool better = arg[slot] < 0 || (!std::isnan(best[slot]) && (std::isnan(v) || v > best[slot]));
          if (better) {
            best[slot] = v;
            arg[slot] = position;
          }
        }
        check_values(describe("argmax", dtype, {shape, {static_cast<std::int64_t>(axis)}}),
                     argmax(x, static_cast<std::int64_t>(axis), true), kept, DType::int64, arg, 0);
      }
    }
  }
}

// --- conversions and axis reordering ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(dtype_conversions_and_transposes_agree_with_a_scalar_loop) {
  std::mt19937_64 rng(8);
  for (const Shape& shape : output_shapes(rng)) {
    for (DType from : kAllDTypes) {
      const Tensor x = random_tensor(rng, shape, from, /*specials=*/false);
      const Values vx = x.to_vector<double>();
      for (DType to : kAllDTypes) {
        Values want(vx.size());
        for (std::size_t i = 0; i < vx.size(); ++i) {
          want[i] = to == DType::boolean ? (vx[i] != 0)
                    : to == DType::int64 ? std::trunc(vx[i])
                                         : round_to(to, vx[i]);
        }
        check_values(describe("to " + dtype_name(to), from, {shape}), x.to(to), shape, to, want, 0);
      }
      if (shape.size() < 2) continue;
      // transpose of the last two axes: out[..., j, i] = x[..., i, j]
      Shape swapped = shape;
      std::swap(swapped[shape.size() - 1], swapped[shape.size() - 2]);
      const std::int64_t rows = shape[shape.size() - 2], cols = shape[shape.size() - 1];
      Values want(vx.size());
      for (std::int64_t i = 0; i < shape_numel(shape); ++i) {
        const std::int64_t block = i / (rows * cols), r = (i / cols) % rows, c = i % cols;
        want[static_cast<std::size_t>(block * rows * cols + c * rows + r)] = vx[i];
      }
      check_values(describe("transpose", from, {shape}),
                   x.transpose(static_cast<std::int64_t>(shape.size()) - 2, -1), swapped, from,
                   want, 0);
    }
  }
}

}  // namespace
}  // namespace xtgrad
