// transpose, permute, concatenate, stack, broadcast_to and row gathering.
#include "helpers.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

BOOST_AUTO_TEST_SUITE(manipulation)

BOOST_AUTO_TEST_CASE_TEMPLATE(transpose_and_permute, T, FloatTypes) {
  const DType dt = dtype_of<T>();
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}}, dt);
  check_tensor(a.transpose(), {3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor x = arange(0, 24, 1, dt).reshape({2, 3, 4});
  Tensor p = x.permute({2, 0, 1});  // p[k, i, j] == x[i, j, k]
  BOOST_TEST(shape_str(p.shape()) == "(4, 2, 3)");
  BOOST_TEST(p.at({3, 1, 2}) == x.at({1, 2, 3}));
  BOOST_TEST(p.at({1, 0, 2}) == x.at({0, 2, 1}));
  Tensor t = x.transpose(0, -1);
  BOOST_TEST(shape_str(t.shape()) == "(4, 3, 2)");
  BOOST_TEST(t.at({3, 2, 1}) == x.at({1, 2, 3}));
  BOOST_TEST(!t.shares_storage(x));
}

BOOST_AUTO_TEST_CASE(permute_errors) {
  Tensor x = zeros({2, 3, 4});
  check_throws<ShapeError>([&] { x.permute({0, 1}); }, {"permute", "(0, 1)", "(2, 3, 4)"});
  check_throws<ShapeError>([&] { x.permute({0, 1, 1}); }, {"permute", "twice"});
  check_throws<ShapeError>([&] { x.transpose(); }, {"transpose", "2-d", "(2, 3, 4)"});
}

BOOST_AUTO_TEST_CASE(concatenate_along_axes) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  Tensor b = tensor({{5, 6}});
  check_tensor(concatenate({a, b}, 0), {3, 2}, {1, 2, 3, 4, 5, 6});
  check_tensor(concatenate({a, a.transpose()}, 1), {2, 4}, {1, 2, 1, 3, 3, 4, 2, 4});
  check_tensor(concatenate({a, zeros({0, 2})}), {2, 2}, {1, 2, 3, 4});
  Tensor i = concatenate({tensor({1}, DType::int64), tensor({2, 3}, DType::int64)});
  BOOST_TEST(i.dtype() == DType::int64);
  check_tensor(i, {3}, {1, 2, 3});
  check_throws<ShapeError>([&] { concatenate({a, b}, 1); }, {"concatenate", "(2, 2)", "(1, 2)"});
  check_throws<DTypeError>(
      [&] {
        concatenate({a, a.to(DType::float64)});
      },
      {"concatenate", "float64"});
  check_throws<ValueError>([] { concatenate({}); }, {"concatenate"});
}

BOOST_AUTO_TEST_CASE(stack_adds_an_axis) {
  Tensor a = tensor({1, 2, 3});
  Tensor b = tensor({4, 5, 6});
  check_tensor(stack({a, b}), {2, 3}, {1, 2, 3, 4, 5, 6});
  check_tensor(stack({a, b}, 1), {3, 2}, {1, 4, 2, 5, 3, 6});
  check_throws<ShapeError>([&] { stack({a, tensor({1, 2})}); }, {"stack", "(3,)", "(2,)"});
}

BOOST_AUTO_TEST_CASE(broadcast_to_copies_out) {
  check_tensor(broadcast_to(tensor({1, 2}), {3, 2}), {3, 2}, {1, 2, 1, 2, 1, 2});
  check_tensor(broadcast_to(tensor({1, 2}).reshape({2, 1}), {2, 3}), {2, 3}, {1, 1, 1, 2, 2, 2});
  check_throws<ShapeError>(
      [] {
        broadcast_to(zeros({3}), {2, 2});
      },
      {"broadcast_to", "(3,)", "(2, 2)"});
}

BOOST_AUTO_TEST_CASE(gather_rows_makes_a_batch) {
  Tensor x = arange(0, 12, 1, DType::float64).reshape({4, 3});
  Tensor batch = gather_rows(x, {3, 0, 3});
  check_tensor(batch, {3, 3}, {9, 10, 11, 0, 1, 2, 9, 10, 11});
  BOOST_TEST(batch.dtype() == DType::float64);
  Tensor buffer = zeros({2, 3}, DType::float64);
  const auto v0 = buffer.version();
  gather_rows_into(buffer, x, {1, 2});
  check_tensor(buffer, {2, 3}, {3, 4, 5, 6, 7, 8});
  BOOST_TEST(buffer.version() > v0);
  check_tensor(gather_rows(x, {}), {0, 3}, {});
  check_throws<IndexError>(
      [&] {
        gather_rows(x, {0, 4});
      },
      {"gather_rows", "4", "position 1", "(4, 3)"});
  check_throws<IndexError>([&] { gather_rows(x, {-1}); }, {"gather_rows", "-1"});
  check_throws<ShapeError>(
      [&] {
        gather_rows_into(buffer, x, {0, 1, 2});
      },
      {"gather_rows_into", "(3, 3)", "(2, 3)"});
}

BOOST_AUTO_TEST_SUITE_END()
