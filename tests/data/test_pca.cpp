// PCA and the eigh it is built on: known matrices, synthetic low-rank data with a known
// answer, and the known reconstruction errors of PCA on Fashion-MNIST.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "data/fashion_mnist.hpp"
#include "data/pca.hpp"
#include "data/synthetic.hpp"
#include "tensor/all.hpp"
#include "../support/fashion_mnist.hpp"
#include "../support/throws.hpp"

namespace tt = boost::test_tools;
namespace utf = boost::unit_test;
using namespace xtgrad;
using xtgrad::testing::check_throws;

namespace {

// Largest |a - b| over all elements (same shapes).
double max_abs_diff(const Tensor& a, const Tensor& b) {
  return max(abs(a.to(DType::float64) - b.to(DType::float64))).item();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(eigh_suite)

// A = tridiag(-1, 2, -1), 3 x 3: eigenvalues 2 - sqrt(2), 2, 2 + sqrt(2).
BOOST_AUTO_TEST_CASE(known_symmetric_matrix) {
  const std::vector<double> expected = {2 - std::sqrt(2.0), 2.0, 2 + std::sqrt(2.0)};
  for (DType dtype : {DType::float32, DType::float64}) {
    BOOST_TEST_CONTEXT("dtype " << dtype) {
      const double tol = dtype == DType::float32 ? 1e-5 : 1e-12;
      const Tensor a = tensor({{2, -1, 0}, {-1, 2, -1}, {0, -1, 2}}, dtype);
      const Eigh e = eigh(a);
      BOOST_TEST(e.eigenvalues.dtype() == dtype);
      BOOST_TEST(e.eigenvectors.dtype() == dtype);
      BOOST_TEST(e.eigenvalues.shape() == (Shape{3}));
      BOOST_TEST(e.eigenvectors.shape() == (Shape{3, 3}));
      const std::vector<double> values = e.eigenvalues.to_vector<double>();
      for (std::size_t j = 0; j < 3; ++j) BOOST_TEST(std::abs(values[j] - expected[j]) <= tol);

      // A V = V diag(w): column j of A V is w_j times column j of V.
      const Tensor av = matmul(a, e.eigenvectors);       // (3, 3)
      const Tensor vw = e.eigenvectors * e.eigenvalues;  // (3, 3) * (3,): scales column j by w_j
      BOOST_TEST(max_abs_diff(av, vw) <= 10 * tol);
      // V^T V = I: the eigenvectors are orthonormal.
      const Tensor vtv = matmul(e.eigenvectors, e.eigenvectors, true, false);
      BOOST_TEST(max_abs_diff(vtv, eye(3, dtype)) <= 10 * tol);
    }
  }
}

BOOST_AUTO_TEST_CASE(eigenvectors_of_a_2x2_matrix) {
  // [[2, 1], [1, 2]]: eigenvalue 1 with (1, -1)/sqrt(2), eigenvalue 3 with (1, 1)/sqrt(2),
  // each up to its sign.
  const Eigh e = eigh(tensor({{2, 1}, {1, 2}}, DType::float64));
  BOOST_TEST(e.eigenvalues.at({0}) == 1.0, tt::tolerance(1e-12));
  BOOST_TEST(e.eigenvalues.at({1}) == 3.0, tt::tolerance(1e-12));
  const double r = 1 / std::sqrt(2.0);
  BOOST_TEST(std::abs(e.eigenvectors.at({0, 0})) == r, tt::tolerance(1e-12));
  BOOST_TEST(e.eigenvectors.at({0, 0}) == -e.eigenvectors.at({1, 0}), tt::tolerance(1e-12));
  BOOST_TEST(e.eigenvectors.at({0, 1}) == e.eigenvectors.at({1, 1}), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(reads_only_the_lower_triangle) {
  const Eigh symmetric = eigh(tensor({{2, -1, 0}, {-1, 2, -1}, {0, -1, 2}}, DType::float64));
  const Eigh upper_garbage = eigh(tensor({{2, 7, 9}, {-1, 2, 5}, {0, -1, 2}}, DType::float64));
  BOOST_TEST(max_abs_diff(symmetric.eigenvalues, upper_garbage.eigenvalues) <= 1e-12);
}

BOOST_AUTO_TEST_CASE(empty_matrix) {
  const Eigh e = eigh(zeros({0, 0}, DType::float64));
  BOOST_TEST(e.eigenvalues.shape() == (Shape{0}));
  BOOST_TEST(e.eigenvectors.shape() == (Shape{0, 0}));
}

BOOST_AUTO_TEST_CASE(errors) {
  check_throws<ShapeError>([&] { eigh(zeros({2, 3})); }, {"eigh", "square", "(2, 3)"});
  check_throws<ShapeError>([&] { eigh(zeros({3})); }, {"eigh", "(3,)"});
  check_throws<DTypeError>([&] { eigh(zeros({2, 2}, DType::int64)); }, {"eigh", "int64"});
  check_throws<ValueError>([&] { eigh(tensor({{1, 0}, {NAN, 1}})); }, {"eigh", "NaN", "index 2"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pca)

// 400 points near a 3-dimensional affine subspace of R^20, noise 0.01.
struct LowRank {
  static constexpr std::int64_t n = 400, d = 20, rank = 3;
  static constexpr double noise = 0.01;
  Generator gen{7};
  Tensor x = data::low_rank_data(n, d, rank, noise, gen);  // (400, 20) float32
  data::PCA model = data::PCA::fit(x);
};

BOOST_FIXTURE_TEST_CASE(rank_components_reconstruct_to_the_noise_level, LowRank) {
  // What is left off the subspace is the noise in the other d - rank directions.
  const double noise_floor = noise * noise * static_cast<double>(d - rank);  // 1.7e-3
  const double sse = model.sse_per_image(x, rank);
  BOOST_TEST_MESSAGE("SSE per row with k = rank: " << sse << ", noise floor " << noise_floor);
  BOOST_TEST(sse >= 0.8 * noise_floor);
  BOOST_TEST(sse <= 1.05 * noise_floor);
  BOOST_TEST(model.sse_per_image(x, rank - 1) > 100 * sse);  // one signal direction short
  BOOST_TEST(model.sse_per_image(x, d) <= 1e-20);            // all components: exact
}

BOOST_AUTO_TEST_CASE(blocks_of_rows_give_the_covariance_of_the_whole) {
  // fit() and sse_per_image() go through the rows 1000 at a time; 2500 rows make two full
  // blocks and a partial one, which must add up to the covariance of all the rows at once.
  Generator gen(11);
  const Tensor x = rand({2500, 6}, gen) * 3.0;  // (N, D) float32
  const data::PCA model = data::PCA::fit(x);
  const Tensor x64 = x.to(DType::float64);
  const Tensor centred = x64 - mean(x64, {0});
  const Tensor cov = matmul(centred, centred, true, false) / 2500.0;  // (D, D)
  // The components diagonalise the whole covariance: W C W^T = diag(variance).
  const Tensor w = model.components();
  const Tensor rotated = matmul(matmul(w, cov), w, false, true);
  const Tensor diagonal = eye(6, DType::float64) * model.explained_variance();  // diag(variance)
  BOOST_TEST(allclose(rotated, diagonal, 1e-9, 1e-12));
  // The error with k components is the variance left out, summed over all blocks.
  const std::vector<double> variance = model.explained_variance().to_vector<double>();
  BOOST_TEST(model.sse_per_image(x, 4) == variance[4] + variance[5], tt::tolerance(1e-9));
}

BOOST_FIXTURE_TEST_CASE(error_left_equals_the_variance_left, LowRank) {
  // On the data it was fitted to, the squared error per row with k components is exactly
  // the sum of the variances of the components left out (C divides by N).
  const std::vector<double> variance = model.explained_variance().to_vector<double>();
  for (std::int64_t k : {0, 1, 3, 10}) {
    double left = 0.0;
    for (std::size_t j = static_cast<std::size_t>(k); j < variance.size(); ++j) left += variance[j];
    BOOST_TEST(model.sse_per_image(x, k) == left, tt::tolerance(1e-9));
  }
}

BOOST_FIXTURE_TEST_CASE(components_are_orthonormal, LowRank) {
  const Tensor& w = model.components();
  BOOST_TEST(w.dtype() == DType::float64);
  BOOST_TEST(w.shape() == (Shape{d, d}));
  BOOST_TEST(max_abs_diff(matmul(w, w, false, true), eye(d, DType::float64)) <= 1e-12);
}

BOOST_FIXTURE_TEST_CASE(explained_variance_is_decreasing, LowRank) {
  const std::vector<double> variance = model.explained_variance().to_vector<double>();
  BOOST_TEST(variance.size() == static_cast<std::size_t>(d));
  BOOST_TEST(std::is_sorted(variance.begin(), variance.end(), std::greater<double>()));
  BOOST_TEST(variance.back() >= 0.0);
  // Along the subspace the variance is about d = 20 per direction; off it, noise^2 = 1e-4.
  BOOST_TEST(variance[rank - 1] > 1.0);
  BOOST_TEST(variance[rank] < 2e-4);
}

BOOST_FIXTURE_TEST_CASE(codes_are_centred_and_uncorrelated, LowRank) {
  const Tensor codes = model.encode(x, rank);  // (N, rank)
  BOOST_TEST(codes.dtype() == DType::float64);
  BOOST_TEST(codes.shape() == (Shape{n, rank}));
  BOOST_TEST(max(abs(mean(codes, {0}))).item() <= 1e-9);
  // (1/N) codes^T codes = diag(lambda_1 .. lambda_rank)
  const Tensor cov = matmul(codes, codes, true, false) / static_cast<double>(n);
  const Tensor lambda = model.explained_variance().rows(0, rank);
  const Tensor expected = eye(rank, DType::float64) * lambda;
  BOOST_TEST(max_abs_diff(cov, expected) <= 1e-9 * lambda.at({0}));
}

BOOST_FIXTURE_TEST_CASE(encode_decode_reconstruct, LowRank) {
  const Tensor codes = model.encode(x, 2);
  BOOST_TEST(model.decode(codes).shape() == (Shape{n, d}));
  BOOST_TEST(max_abs_diff(model.reconstruct(x, 2), model.decode(codes)) == 0.0);
  // k = 0: no code at all, every row becomes the mean.
  const Tensor none = model.encode(x, 0);
  BOOST_TEST(none.shape() == (Shape{n, 0}));
  const Tensor means = model.decode(none);
  BOOST_TEST(max_abs_diff(means.rows(5, 6), model.mean().unsqueeze(0)) == 0.0);
  BOOST_TEST(max_abs_diff(model.mean(), mean(x.to(DType::float64), {0})) <= 1e-12);
}

BOOST_FIXTURE_TEST_CASE(errors, LowRank) {
  check_throws<ShapeError>([&] { data::PCA::fit(zeros({5})); }, {"PCA::fit", "(5,)"});
  check_throws<ShapeError>([&] { data::PCA::fit(zeros({0, 3})); }, {"PCA::fit", "(0, 3)"});
  check_throws<DTypeError>(
      [&] {
        data::PCA::fit(zeros({4, 3}, DType::int64));
      },
      {"PCA::fit", "int64"});
  check_throws<ShapeError>(
      [&] {
        model.encode(zeros({4, 7}), 2);
      },
      {"PCA::encode", "20", "(4, 7)"});
  check_throws<ValueError>([&] { model.encode(x, 21); }, {"PCA::encode", "0..20", "21"});
  check_throws<ValueError>([&] { model.sse_per_image(x, -1); }, {"k", "-1"});
  check_throws<ShapeError>([&] { model.decode(zeros({4, 21})); }, {"PCA::decode", "(4, 21)"});
  check_throws<ValueError>([&] { data::low_rank_data(10, 3, 4, 0.1, gen); },
                           {"low_rank_data", "rank = 4"});
}

// Images kept as bytes give the PCA of their float copy, bit for bit: the same blocks of 1000
// rows in float64, whichever way the rows arrive.
BOOST_AUTO_TEST_CASE(fit_to_bytes_equals_fit_to_their_floats) {
  Generator gen(5);
  const std::int64_t n = 2500, d = 6;  // three blocks, the last one short
  const Tensor draws = uniform({n * d}, 0, 256, gen, DType::float64);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n * d));
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<std::uint8_t>(draws.data<double>()[i]);
  const data::ImageBytes images(bytes, n, d);
  const Tensor floats = images.to_float();

  const data::PCA from_bytes = data::PCA::fit(images);
  const data::PCA from_floats = data::PCA::fit(floats);
  BOOST_TEST(max_abs_diff(from_bytes.mean(), from_floats.mean()) == 0.0);
  BOOST_TEST(max_abs_diff(from_bytes.components(), from_floats.components()) == 0.0);
  BOOST_TEST(max_abs_diff(from_bytes.explained_variance(), from_floats.explained_variance()) ==
             0.0);
  for (std::int64_t k : {0, 2, 6}) {
    BOOST_TEST(from_bytes.sse_per_image(images, k) == from_floats.sse_per_image(floats, k),
               "k = " << k);
  }
  check_throws<ShapeError>(
      [&] { from_bytes.sse_per_image(data::ImageBytes(bytes, n * d / 4, 4), 1); },
      {"PCA::sse_per_image", "6 pixels", "got 4"});
  check_throws<ValueError>([&] { from_bytes.sse_per_image(images, 7); }, {"k must be", "0..6"});
  check_throws<ShapeError>([&] { data::PCA::fit(data::ImageBytes({}, 0, 4)); },
                           {"PCA::fit", "N >= 1", "(0, 4)"});
}

// The known values: PCA fitted to the 60 000 training images (pixel / 255), squared error
// per image on the 10 000 test images. They are properties of the data; a mismatch is a bug.
BOOST_AUTO_TEST_CASE(fashion_mnist_known_errors,
                     *utf::precondition(xtgrad::testing::fashion_mnist_installed)) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const data::ImageSet train = data::load_fashion_mnist(data::Split::train);
  const data::ImageSet test = data::load_fashion_mnist(data::Split::test);
  const auto loaded = clock::now();
  const data::PCA model = data::PCA::fit(train.images);
  const auto fitted = clock::now();

  const std::vector<std::pair<std::int64_t, double>> known = {
      {0, 67.93}, {2, 36.139}, {10, 19.092}, {30, 12.243}, {32, 11.872}};
  for (const auto& [k, expected] : known) {
    const double sse = model.sse_per_image(test.images, k);
    BOOST_TEST_MESSAGE("k = " << k << ": test SSE per image " << sse);
    BOOST_TEST(std::abs(sse - expected) <= 0.005,
               "k = " << k << ": got " << sse << ", expected " << expected);
  }
  const auto done = clock::now();
  using seconds = std::chrono::duration<double>;
  BOOST_TEST_MESSAGE("load " << seconds(loaded - start).count() << " s, fit "
                             << seconds(fitted - loaded).count() << " s, evaluate "
                             << seconds(done - fitted).count() << " s");
}

BOOST_AUTO_TEST_SUITE_END()
