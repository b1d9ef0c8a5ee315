// max and min over a leading axis, at widths on both sides of every SIMD width.
//
// Regression test: on AVX2, the mask x == max(x, axis 0, keepdim) that max's gradient is built
// from compared a broadcast (1, k) operand wrongly once k reached 4 (float64) or 8 (float32), so
// max over any axis but the last gave wrong values and gradients that changed between runs.
// The old tests used 3 columns. Here the values and the one-hot gradients are compared with a
// plain loop over columns of 1 to 33.
#include <boost/test/unit_test.hpp>

#include "../tensor/helpers.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// For column j of x (n, k): the row of its largest (or smallest) element.
std::vector<std::int64_t> extreme_rows(const std::vector<double>& x, std::int64_t n, std::int64_t k,
                                       bool largest) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(k), 0);
  for (std::int64_t j = 0; j < k; ++j) {
    for (std::int64_t i = 1; i < n; ++i) {
      const double v = x[i * k + j], best = x[rows[j] * k + j];
      if (largest ? v > best : v < best) rows[j] = i;
    }
  }
  return rows;
}

BOOST_AUTO_TEST_CASE_TEMPLATE(max_and_min_over_axis_0_match_a_plain_loop_at_every_width, T,
                              FloatTypes) {
  const DType dtype = dtype_of<T>();
  for (std::int64_t k : {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33}) {
    for (bool largest : {true, false}) {
      const std::int64_t n = 6;
      Generator gen(static_cast<std::uint64_t>(k));
      Variable x(normal({n, k}, 0, 1, gen, dtype), true);  // continuous: no ties
      const std::vector<double> values = x.data().to_vector<double>();
      const std::vector<std::int64_t> rows = extreme_rows(values, n, k, largest);

      Variable y = largest ? max(x, {0}) : -max(-x, {0});  // (k,)
      // A different weight per column, so that a gradient sent to the wrong column shows.
      Variable weights(arange(1, static_cast<double>(k) + 1, 1, dtype));
      sum(y * weights).backward();

      std::vector<double> want_y(static_cast<std::size_t>(k)), want_grad(values.size(), 0.0);
      for (std::int64_t j = 0; j < k; ++j) {
        want_y[j] = values[rows[j] * k + j];
        want_grad[rows[j] * k + j] = static_cast<double>(j + 1);
      }
      BOOST_TEST_CONTEXT((largest ? "max" : "min")
                         << " over axis 0 of (" << n << ", " << k << ")") {
        check_tensor(y.data(), {k}, want_y, 0);
        check_tensor(x.grad().data(), {n, k}, want_grad, 0);
      }
    }
  }
}

}  // namespace
