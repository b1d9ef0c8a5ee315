#pragma once
// Helpers shared by the tensor tests: compare a tensor with known values or with another
// tensor; and (support/throws.hpp) check that a call throws the right exception type with a
// message naming what went wrong.
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../support/files.hpp"
#include "../support/throws.hpp"
#include "tensor/all.hpp"

namespace xtgrad::testing {

inline const double kInf = std::numeric_limits<double>::infinity();
inline const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Test cases templated on these run once in float32 and once in float64.
using FloatTypes = boost::mpl::list<float, double>;

// Default tolerance: loose enough for float32 arithmetic, tight enough to catch real bugs.
template <class T>
constexpr double tolerance() {
  return std::is_same_v<T, float> ? 1e-5 : 1e-12;
}

// Checks shape, dtype and every value (|got - want| <= tol * (1 + |want|); NaNs must match).
inline void check_tensor(const Tensor& t, const Shape& shape, const std::vector<double>& want,
                         double tol = 1e-6) {
  BOOST_TEST_REQUIRE(t.defined());
  BOOST_TEST(shape_str(t.shape()) == shape_str(shape));
  const std::vector<double> got = t.to_vector<double>();
  BOOST_TEST_REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const bool ok = std::isnan(want[i]) ? std::isnan(got[i])
                    : std::isinf(want[i])
                        ? got[i] == want[i]
                        : std::abs(got[i] - want[i]) <= tol * (1 + std::abs(want[i]));
    BOOST_TEST(ok, "element " << i << ": got " << got[i] << ", want " << want[i]);
  }
}

// Tensors equal in dtype, shape and every byte (NaN payloads included).
inline void check_identical(const Tensor& got, const Tensor& want) {
  BOOST_TEST(got.dtype() == want.dtype());
  BOOST_TEST(shape_str(got.shape()) == shape_str(want.shape()));
  check_bytes(to_npy_bytes(got), to_npy_bytes(want));
}

}  // namespace xtgrad::testing
