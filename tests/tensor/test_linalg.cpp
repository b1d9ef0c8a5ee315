// matmul through BLAS: known products, transposes as flags, matmul_into, and errors.
#include "helpers.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// The textbook triple loop, in double: the reference for BLAS.
std::vector<double> naive_matmul(const Tensor& a, const Tensor& b) {
  const std::int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  std::vector<double> out(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t p = 0; p < k; ++p)
        out[static_cast<std::size_t>(i * n + j)] += a.at({i, p}) * b.at({p, j});
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(linalg)

BOOST_AUTO_TEST_CASE_TEMPLATE(known_product, T, FloatTypes) {
  const DType dt = dtype_of<T>();
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}}, dt);       // (2, 3)
  Tensor b = tensor({{7, 8}, {9, 10}, {11, 12}}, dt);  // (3, 2)
  Tensor c = matmul(a, b);
  BOOST_TEST(c.dtype() == dt);
  check_tensor(c, {2, 2}, {58, 64, 139, 154});
}

BOOST_AUTO_TEST_CASE_TEMPLATE(transposes_are_flags, T, FloatTypes) {
  const DType dt = dtype_of<T>();
  Generator gen(7);
  Tensor a = randn({5, 4}, gen, dt);
  Tensor b = randn({4, 3}, gen, dt);
  const std::vector<double> want = naive_matmul(a, b);
  const double tol = tolerance<T>() * 10;
  check_tensor(matmul(a, b), {5, 3}, want, tol);
  check_tensor(matmul(a.transpose(), b, true, false), {5, 3}, want, tol);
  check_tensor(matmul(a, b.transpose(), false, true), {5, 3}, want, tol);
  check_tensor(matmul(a.transpose(), b.transpose(), true, true), {5, 3}, want, tol);
}

BOOST_AUTO_TEST_CASE(larger_product_matches_the_triple_loop) {
  Generator gen(1);
  Tensor a = randn({37, 53}, gen, DType::float64);
  Tensor b = randn({53, 29}, gen, DType::float64);
  check_tensor(matmul(a, b), {37, 29}, naive_matmul(a, b), 1e-12);
}

BOOST_AUTO_TEST_CASE(matmul_into_accumulates_with_alpha_and_beta) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  Tensor out = ones({2, 2});
  matmul_into(out, a, eye(2), false, false, 2.0, 10.0);  // out = 2 a + 10 out
  check_tensor(out, {2, 2}, {12, 14, 16, 18});
  check_throws<ShapeError>(
      [&] {
        Tensor bad = zeros({3, 2});
        matmul_into(bad, a, a);
      },
      {"matmul_into", "(3, 2)", "(2, 2)"});
}

BOOST_AUTO_TEST_CASE(empty_inner_dimension_gives_zeros) {
  check_tensor(matmul(zeros({2, 0}), zeros({0, 3})), {2, 3}, {0, 0, 0, 0, 0, 0});
  check_tensor(matmul(zeros({0, 4}), zeros({4, 3})), {0, 3}, {});
}

BOOST_AUTO_TEST_CASE(errors_name_both_shapes) {
  check_throws<ShapeError>(
      [] {
        matmul(zeros({4, 3}), zeros({5, 2}));
      },
      {"matmul: cannot multiply (4, 3) by (5, 2): inner sizes 3 and 5 differ"});
  check_throws<ShapeError>(
      [] {
        matmul(zeros({4, 3}), zeros({4, 2}), false, true);
      },
      {"(4, 3) by (4, 2)^T", "inner sizes 3 and 2"});
  check_throws<ShapeError>([] { matmul(zeros({3}), zeros({3, 2})); }, {"matmul", "2-d", "(3,)"});
  check_throws<DTypeError>(
      [] {
        matmul(zeros({2, 2}), zeros({2, 2}, DType::float64));
      },
      {"matmul", "float32", "float64"});
  check_throws<DTypeError>(
      [] {
        matmul(zeros({2, 2}, DType::int64), zeros({2, 2}, DType::int64));
      },
      {"matmul", "int64"});
}

BOOST_AUTO_TEST_SUITE_END()
