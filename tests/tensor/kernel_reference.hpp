#pragma once
// Shared by the differential kernel tests (test_kernels_elementwise.cpp and
// test_kernels_reduce.cpp), which check every tensor kernel against a plain scalar loop: random
// shapes that straddle every SIMD width, every broadcast pattern, random values with specials,
// the flat-index mapping a scalar reference loop needs, and a value check that names the first
// mismatch.
//
// Why: the kernels are xtensor expressions that xsimd compiles into different machine code at
// each instruction-set level, and a bug can live at one level only. On an AVX2 machine,
// comparisons with a broadcast operand once left part of their mask unwritten, but only once a
// row reached the SIMD width (4 doubles or 8 floats); tests with 3 columns could not see it.
// So the shapes here straddle every SIMD width (1 to 33 along the last axis), the operands take
// every broadcast pattern, and every dtype an op takes is tried. CMake builds the two test files
// twice: test_kernels against the library compiled for this CPU's level, and test_kernels_baseline
// against the same library compiled for plain x86-64 (SSE2).
//
// Exact ops (arithmetic, comparisons, where, max/min, in-place updates) must agree bit for bit
// (0 and -0 count as equal, NaN must meet NaN); transcendental functions and sums within a few
// units in the last place.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tensor/all.hpp"

namespace xtgrad::testing::kernels {

using Values = std::vector<double>;

// --- shapes and broadcast patterns ---------------------------------------------------------------

// Sizes of the last axis: both sides of 2, 4, 8 and 16 lanes (SSE2 to AVX-512, float64 and
// float32), and of 32 (an AVX-512 float32 register unrolled twice).
inline const std::vector<std::int64_t> kInnerSizes = {1, 2,  3,  4,  5,  7,  8,
                                                      9, 15, 16, 17, 31, 32, 33};
// Sizes of the other axes: small, so that a case stays cheap, but past 1, 2 and 8.
inline const std::vector<std::int64_t> kOuterSizes = {1, 2, 3, 5, 8, 9};

template <class T>
T pick(std::mt19937_64& rng, const std::vector<T>& from) {
  return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

inline Shape random_shape(std::mt19937_64& rng, std::size_t rank) {
  Shape shape(rank);
  for (std::size_t k = 0; k < rank; ++k) {
    shape[k] = k + 1 == rank ? pick(rng, kInnerSizes) : pick(rng, kOuterSizes);
  }
  return shape;
}

// The operand shape that broadcasts to `out` by pattern: the `drop` leading axes are left out,
// and axis k of the rest is 1 where bit k of `ones` is set.
inline Shape operand_shape(const Shape& out, unsigned ones, std::size_t drop) {
  Shape shape;
  for (std::size_t k = drop; k < out.size(); ++k) {
    shape.push_back((ones >> k) & 1u ? 1 : out[k]);
  }
  return shape;
}

// Every broadcast pattern of a rank-r output: 2^r choices of size-1 axes, times r+1 ranks.
inline std::vector<Shape> all_operand_shapes(const Shape& out) {
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
inline std::vector<Shape> output_shapes(std::mt19937_64& rng) {
  std::vector<Shape> shapes = {{}, {1}, {8}, {33}, {4, 1}, {9, 8}, {3, 16}};
  for (std::size_t rank = 1; rank <= 3; ++rank) {
    for (int i = 0; i < 8; ++i) shapes.push_back(random_shape(rng, rank));
  }
  return shapes;
}

// A pair of operand shapes to try against `out`: every pattern for one side with a random
// pattern for the other, then the other way round.
inline std::vector<std::pair<Shape, Shape>> operand_pairs(std::mt19937_64& rng, const Shape& out) {
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
inline std::int64_t source_index(const Shape& out, const Shape& in, std::int64_t flat) {
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
inline Tensor random_tensor(std::mt19937_64& rng, const Shape& shape, DType dtype,
                            bool specials = true) {
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

inline const DType kFloats[] = {DType::float32, DType::float64};
inline const DType kAllDTypes[] = {DType::float32, DType::float64, DType::int64, DType::boolean};

// Rounds a reference value computed in double to the dtype, as the kernel's result is.
inline double round_to(DType dtype, double x) {
  return dtype == DType::float32 ? static_cast<double>(static_cast<float>(x)) : x;
}

// Tolerances, relative: exact ops 0; math functions a few ulp; sums grow with the count.
inline double ulps(DType dtype, double n) {
  return n * (dtype == DType::float32 ? std::numeric_limits<float>::epsilon()
                                      : std::numeric_limits<double>::epsilon());
}

inline std::string describe(const std::string& op, DType dtype, const std::vector<Shape>& shapes) {
  std::ostringstream s;
  s << op << " " << dtype_name(dtype);
  for (const Shape& shape : shapes) s << " " << shape_str(shape);
  return s.str();
}

// Checks got against want element by element; one error per case, naming the first mismatch.
inline void check_values(const std::string& what, const Tensor& got, const Shape& shape,
                         DType dtype, const Values& want, double rel_tol, double abs_tol = 0) {
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

}  // namespace xtgrad::testing::kernels
