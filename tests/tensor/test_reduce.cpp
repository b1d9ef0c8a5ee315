// Reductions over all elements and over axes, keepdim, var, argmax and sum_to.
#include "helpers.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

BOOST_AUTO_TEST_SUITE(reduce)

BOOST_AUTO_TEST_CASE_TEMPLATE(sum_and_mean, T, FloatTypes) {
  const DType dt = dtype_of<T>();
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}}, dt);
  check_tensor(sum(x), {}, {21});
  check_tensor(sum(x, {0}), {3}, {5, 7, 9});
  check_tensor(sum(x, {1}), {2}, {6, 15});
  check_tensor(sum(x, {-1}, true), {2, 1}, {6, 15});
  check_tensor(sum(x, {0, 1}, true), {1, 1}, {21});
  check_tensor(mean(x), {}, {3.5});
  check_tensor(mean(x, {0}), {3}, {2.5, 3.5, 4.5});
  check_tensor(mean(x, {1}, true), {2, 1}, {2, 5});
  BOOST_TEST(sum(x).dtype() == dt);
}

BOOST_AUTO_TEST_CASE(reduce_3d_over_two_axes) {
  Tensor x = arange(0, 24, 1, DType::float64).reshape({2, 3, 4});
  // sum over axes 0 and 2: for each j, sum_i sum_k (12 i + 4 j + k)
  check_tensor(sum(x, {0, 2}), {3}, {60, 92, 124});
  check_tensor(sum(x, {2, 0}, true), {1, 3, 1}, {60, 92, 124});
  check_tensor(max(x, {1}), {2, 4}, {8, 9, 10, 11, 20, 21, 22, 23});
}

BOOST_AUTO_TEST_CASE_TEMPLATE(max_min_argmax, T, FloatTypes) {
  const DType dt = dtype_of<T>();
  Tensor x = tensor({{3, 7, 7}, {-1, -5, 0}}, dt);
  check_tensor(max(x), {}, {7});
  check_tensor(min(x), {}, {-5});
  check_tensor(max(x, {1}), {2}, {7, 0});
  check_tensor(min(x, {0}, true), {1, 3}, {-1, -5, 0});
  Tensor am = argmax(x, 1);
  BOOST_TEST(am.dtype() == DType::int64);
  check_tensor(am, {2}, {1, 2});  // the first of two equal maxima wins
  check_tensor(argmax(x, 0), {3}, {0, 0, 0});
  check_tensor(argmax(x, -1, true), {2, 1}, {1, 2});
  check_tensor(argmax(x), {}, {1});
  check_tensor(argmax(arange(0, 24, 1, dt).reshape({2, 3, 4}) * -1.0, 1), {2, 4},
               {0, 0, 0, 0, 0, 0, 0, 0});
}

// max and min reach the infinities, and any NaN in the reduced slice gives NaN, wherever it is
// (as in PyTorch).
BOOST_AUTO_TEST_CASE_TEMPLATE(max_min_infinities_and_nans, T, FloatTypes) {
  const DType dt = dtype_of<T>();
  check_tensor(max(tensor({-kInf, -kInf}, dt)), {}, {-kInf});
  check_tensor(min(tensor({kInf, kInf}, dt)), {}, {kInf});
  check_tensor(max(tensor({1, kInf, -kInf}, dt)), {}, {kInf});
  check_tensor(min(tensor({1, kInf, -kInf}, dt)), {}, {-kInf});
  for (Tensor x : {tensor({kNaN, 1, 2}, dt), tensor({1, kNaN, 2}, dt), tensor({1, 2, kNaN}, dt),
                   tensor({kNaN, -kInf}, dt), tensor({-kInf, kNaN}, dt)}) {
    BOOST_TEST_CONTEXT(x) {
      check_tensor(max(x), {}, {kNaN});
      check_tensor(min(x), {}, {kNaN});
      check_tensor(max(abs(x)), {}, {kNaN});
    }
  }
  // Over axes: rows of infinities, then a NaN first, in the middle and last.
  Tensor x = tensor(
      {{-kInf, -kInf, -kInf}, {kInf, kInf, kInf}, {kNaN, 1, 2}, {1, kNaN, 2}, {1, 2, kNaN}}, dt);
  check_tensor(max(x, {1}), {5}, {-kInf, kInf, kNaN, kNaN, kNaN});
  check_tensor(min(x, {1}, true), {5, 1}, {-kInf, kInf, kNaN, kNaN, kNaN});
  Tensor y = tensor({{-kInf, kInf, kNaN, 1, 3}, {-kInf, kInf, 1, kNaN, -2}}, dt);
  check_tensor(max(y, {0}), {5}, {-kInf, kInf, kNaN, kNaN, 3});
  check_tensor(min(y, {0}), {5}, {-kInf, kInf, kNaN, kNaN, -2});
  Tensor z =
      tensor({{{-kInf, -kInf}, {-kInf, -kInf}}, {{-kInf, kNaN}, {-kInf, -kInf}}}, dt);  // (2, 2, 2)
  check_tensor(max(z, {1, 2}), {2}, {-kInf, kNaN});
  check_tensor(max(z, {0, 1}), {2}, {-kInf, kNaN});
}

// argmax of an empty slice set is empty, and NaN counts as the largest value (the first NaN
// wins), as in PyTorch and NumPy.
BOOST_AUTO_TEST_CASE_TEMPLATE(argmax_empty_and_nan, T, FloatTypes) {
  const DType dt = dtype_of<T>();
  check_tensor(argmax(zeros({3, 0}, dt), 0), {0}, {});
  check_tensor(argmax(zeros({3, 0}, dt), 0, true), {1, 0}, {});
  check_tensor(argmax(zeros({0, 3}, dt), 1), {0}, {});
  check_tensor(argmax(zeros({2, 3, 0}, dt), 1), {2, 0}, {});
  check_tensor(argmax(tensor({1, kNaN, 3}, dt)), {}, {1});
  check_tensor(argmax(tensor({1, 3, kNaN}, dt)), {}, {2});
  check_tensor(argmax(tensor({kNaN, 5, kNaN}, dt)), {}, {0});
  check_tensor(argmax(tensor({-kInf, kNaN, kInf}, dt)), {}, {1});
  check_tensor(argmax(tensor({-kInf, -kInf}, dt)), {}, {0});
  check_tensor(argmax(tensor({-kInf, 1, kInf}, dt)), {}, {2});
  check_tensor(argmax(tensor({{1, kNaN}, {2, 0}, {kNaN, 1}}, dt), 0), {2}, {2, 0});
  check_tensor(argmax(tensor({{1, kNaN}, {2, 0}, {kNaN, 1}}, dt), 1), {3}, {1, 0, 0});
}

BOOST_AUTO_TEST_CASE_TEMPLATE(variance, T, FloatTypes) {
  const DType dt = dtype_of<T>();
  Tensor x = tensor({{1, 2, 3, 4}, {2, 2, 2, 2}}, dt);
  check_tensor(var(x, {1}), {2}, {5.0 / 3.0, 0}, tolerance<T>());       // unbiased
  check_tensor(var(x, {1}, false, 0), {2}, {1.25, 0}, tolerance<T>());  // population
  check_tensor(var(x, {0}, true), {1, 4}, {0.5, 0, 0.5, 2}, tolerance<T>());
}

BOOST_AUTO_TEST_CASE(sum_to_undoes_broadcasting) {
  Tensor g = arange(0, 6).reshape({2, 3});
  check_tensor(sum_to(g, {3}), {3}, {3, 5, 7});
  check_tensor(sum_to(g, {1, 3}), {1, 3}, {3, 5, 7});
  check_tensor(sum_to(g, {2, 1}), {2, 1}, {3, 12});
  check_tensor(sum_to(g, {}), {}, {15});
  check_tensor(sum_to(g, {2, 3}), {2, 3}, {0, 1, 2, 3, 4, 5});
  check_tensor(sum_to(ones({4, 2, 3}), {2, 1}), {2, 1}, {12, 12});
  check_throws<ShapeError>(
      [] {
        sum_to(ones({4, 1, 3}), {2, 1});
      },
      {"sum_to", "(4, 1, 3)", "(2, 1)"});
  check_throws<ShapeError>([&] { sum_to(g, {4}); }, {"sum_to", "(2, 3)", "(4,)"});
  check_throws<ShapeError>([&] { sum_to(g, {2, 2, 3}); }, {"sum_to", "(2, 3)", "(2, 2, 3)"});
}

BOOST_AUTO_TEST_CASE(reduction_errors) {
  Tensor x = zeros({2, 3});
  check_throws<IndexError>([&] { sum(x, {2}); }, {"sum", "axis 2", "2 axes"});
  check_throws<IndexError>([&] { mean(x, {0, -2}); }, {"twice"});
  check_throws<IndexError>([&] { argmax(x, -3); }, {"argmax", "axis -3"});
  check_throws<ValueError>([] { max(zeros({0, 3}), {0}); }, {"max", "empty", "(0, 3)"});
  check_throws<ValueError>([] { argmax(zeros({0})); }, {"argmax", "empty"});
  check_throws<DTypeError>([] { sum(zeros({2}, DType::int64)); }, {"sum", "int64"});
}

// A float32 sum of millions of terms, as a loss or an image statistic is: in float32 partial
// sums it drifted 0.48 % on Fashion-MNIST's 7.84 M pixels; accumulated in float64, it is within
// one float32 rounding of the exact value. Over all axes, over axis 0 (a bias gradient), and
// with keepdim.
BOOST_AUTO_TEST_CASE(float32_sums_of_millions_of_terms_are_accurate) {
  const Tensor x = full({10000, 784}, 0.1);  // float32 0.1 = 0.100000001490116...
  const double exact = 7840000.0 * static_cast<double>(0.1f);
  BOOST_TEST(std::abs(sum(x).item() - exact) <= 1e-7 * exact);
  BOOST_TEST(std::abs(mean(x).item() - static_cast<double>(0.1f)) <= 1e-7);
  const Tensor columns = sum(x, {0}, true);  // (1, 784)
  BOOST_TEST(shape_str(columns.shape()) == "(1, 784)");
  BOOST_TEST(std::abs(columns.to_vector<double>()[783] - exact / 784) <= 1e-7 * exact / 784);
}

BOOST_AUTO_TEST_CASE(empty_reductions_follow_numpy) {
  check_tensor(sum(zeros({0, 3}), {0}), {3}, {0, 0, 0});
  BOOST_TEST(std::isnan(mean(zeros({0})).item()));
}

BOOST_AUTO_TEST_SUITE_END()
