// Differential test of the reducing and reordering tensor kernels: sum, mean, max, min, var,
// sum_to, argmax, dtype conversions and transposes against a plain scalar loop, on random
// shapes that straddle every SIMD width (why: kernel_reference.hpp).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "kernel_reference.hpp"

namespace xtgrad {
namespace {

using namespace testing::kernels;

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
            check_values(describe("var", dtype, shapes), var(x, axes, keepdim), result, dtype, vars,
                         8 * tol, 8 * tol);
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
          const bool better =
              arg[slot] < 0 || (!std::isnan(best[slot]) && (std::isnan(v) || v > best[slot]));
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
