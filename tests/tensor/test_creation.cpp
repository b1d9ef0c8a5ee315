// zeros, ones, full, arange, linspace, eye and tensors from braces.
#include "helpers.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

BOOST_AUTO_TEST_SUITE(creation)

BOOST_AUTO_TEST_CASE_TEMPLATE(filled_tensors, T, FloatTypes) {
  const DType dt = dtype_of<T>();
  check_tensor(zeros({2, 2}, dt), {2, 2}, {0, 0, 0, 0});
  check_tensor(ones({3}, dt), {3}, {1, 1, 1});
  check_tensor(full({1, 2}, 0.25, dt), {1, 2}, {0.25, 0.25});
  check_tensor(full({}, 7, dt), {}, {7});
  BOOST_TEST(zeros({2}, dt).dtype() == dt);
  Tensor like = full_like(ones({2, 1}, dt), 3);
  BOOST_TEST(like.dtype() == dt);
  check_tensor(like, {2, 1}, {3, 3});
  check_tensor(zeros_like(like), {2, 1}, {0, 0});
  check_tensor(ones_like(like), {2, 1}, {1, 1});
}

BOOST_AUTO_TEST_CASE(negative_sizes_are_rejected) {
  check_throws<ValueError>([] { zeros({3, -2}); }, {"(3, -2)", "negative"});
  check_throws<ValueError>([] { eye(-1); }, {"eye", "-1"});
  check_throws<ValueError>([] { linspace(0, 1, -3); }, {"linspace", "-3"});
}

BOOST_AUTO_TEST_CASE(arange_follows_numpy) {
  check_tensor(arange(0, 5), {5}, {0, 1, 2, 3, 4});
  check_tensor(arange(1, 2, 0.25, DType::float64), {4}, {1, 1.25, 1.5, 1.75});
  check_tensor(arange(5, 0, -2), {3}, {5, 3, 1});
  BOOST_TEST(arange(0, 1, 0.1).numel() == 10);  // ceil((1 - 0) / 0.1)
  BOOST_TEST(arange(3, 1).numel() == 0);
  check_throws<ValueError>([] { arange(0, 1, 0); }, {"arange", "step"});
}

BOOST_AUTO_TEST_CASE(linspace_includes_both_ends) {
  check_tensor(linspace(0, 1, 5), {5}, {0, 0.25, 0.5, 0.75, 1});
  check_tensor(linspace(2, 2, 1), {1}, {2});
  BOOST_TEST(linspace(0, 1, 0).numel() == 0);
  BOOST_TEST(linspace(-1, 1, 7, DType::float64).at({6}) == 1.0);
}

BOOST_AUTO_TEST_CASE(eye_is_the_identity) {
  check_tensor(eye(3), {3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  BOOST_TEST(eye(2, DType::float64).dtype() == DType::float64);
}

BOOST_AUTO_TEST_CASE(tensors_from_braces) {
  check_tensor(tensor({1, 2, 3}), {3}, {1, 2, 3});
  check_tensor(tensor({{1, 2}, {3, 4}, {5, 6}}), {3, 2}, {1, 2, 3, 4, 5, 6});
  check_tensor(tensor({{{1, 2}}, {{3, 4}}}, DType::float64), {2, 1, 2}, {1, 2, 3, 4});
  BOOST_TEST(tensor({1}, DType::int64).dtype() == DType::int64);
  check_throws<ShapeError>([] { tensor({{1, 2}, {3}}); }, {"tensor", "unequal", "2", "1"});
  check_throws<ShapeError>([] { tensor({{{1, 2}}, {{3, 4}, {5, 6}}}); }, {"tensor", "unequal"});
}

BOOST_AUTO_TEST_SUITE_END()
