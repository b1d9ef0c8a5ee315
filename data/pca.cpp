// PCA by an eigen-decomposition of the covariance matrix, in float64.
#include "data/pca.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "tensor/creation.hpp"
#include "tensor/linalg.hpp"
#include "tensor/manipulation.hpp"
#include "tensor/math.hpp"
#include "tensor/reduce.hpp"

namespace xtgrad::data {

namespace {

// Rows are converted to float64 and reduced this many at a time (6 MB of float64 for 784
// features): the whole data set is never copied.
constexpr std::int64_t kRowsPerBlock = 1000;

// Rows begin .. begin + kRowsPerBlock of x (N, D), as float64 (images as their pixel values).
Tensor block64(const Tensor& x, std::int64_t begin) {
  return x.rows(begin, std::min(begin + kRowsPerBlock, x.size(0))).to(DType::float64);
}
Tensor block64(const ImageBytes& x, std::int64_t begin) {
  return x.rows(begin, std::min(begin + kRowsPerBlock, x.size())).to_float().to(DType::float64);
}

std::int64_t row_count(const Tensor& x) { return x.size(0); }
std::int64_t row_count(const ImageBytes& x) { return x.size(); }

}  // namespace

PCA::PCA(Tensor mean, Tensor components, Tensor variance)
    : mean_(std::move(mean)), components_(std::move(components)), variance_(std::move(variance)) {}

PCA PCA::fit(const Tensor& x) {
  check_floating("PCA::fit", x);
  if (x.dim() != 2 || x.size(0) < 1) {
    throw ShapeError("PCA::fit: expected data (N, D) with N >= 1 rows, got shape " +
                     shape_str(x.shape()));
  }
  return fit_blocks(x, x.size(1), nullptr);
}

PCA PCA::fit(const ImageBytes& images, const std::atomic<bool>* stop) {
  if (images.size() < 1) {
    throw ShapeError("PCA::fit: expected images (N, D) with N >= 1, got (0, " +
                     std::to_string(images.pixels()) + ")");
  }
  return fit_blocks(images, images.pixels(), stop);
}

template <class Rows>
PCA PCA::fit_blocks(const Rows& x, std::int64_t d, const std::atomic<bool>* stop) {
  const std::int64_t n = row_count(x);
  auto check_stop = [&] {
    if (stop != nullptr && stop->load()) throw Interrupted("PCA::fit: interrupted");
  };
  // Two passes over blocks of rows, each converted to float64 on its own, so that no float64
  // copy of the whole data set is made (for 60000 x 784 images it would take 376 MB):
  //   mean = (1/N) sum_blocks sum_rows x_n,   C = (1/N) sum_blocks (X_b - mean)^T (X_b - mean)
  Tensor mu = zeros({d}, DType::float64);  // (D,)
  for (std::int64_t begin = 0; begin < n; begin += kRowsPerBlock) {
    check_stop();
    mu.add_(sum(block64(x, begin), {0}));
  }
  mu = mu / static_cast<double>(n);
  Tensor cov = zeros({d, d}, DType::float64);  // (D, D)
  for (std::int64_t begin = 0; begin < n; begin += kRowsPerBlock) {
    check_stop();
    Tensor centred = block64(x, begin);  // (B, D)
    centred.add_(mu, -1.0);
    cov.add_(matmul(centred, centred, true, false));  // (D, B) @ (B, D)
  }
  cov = cov / static_cast<double>(n);

  // eigh sorts the eigenvalues ascending; PCA wants the largest first.
  const Eigh eig = eigh(cov);
  std::vector<std::int64_t> descending(static_cast<std::size_t>(d));
  std::iota(descending.rbegin(), descending.rend(), std::int64_t{0});         // d-1, ..., 1, 0
  Tensor components = gather_rows(eig.eigenvectors.transpose(), descending);  // (D, D) rows
  // NOTE: C is positive semi-definite, but rounding can make its smallest eigenvalues come out
  // as tiny negative numbers; a variance cannot be negative, so clamp them to 0.
  Tensor variance = clamp(gather_rows(eig.eigenvalues, descending), 0.0,
                          std::numeric_limits<double>::infinity());  // (D,)
  return PCA(std::move(mu), std::move(components), std::move(variance));
}

Tensor PCA::checked_input(const char* op, const Tensor& x) const {
  check_input(op, x);
  return x.to(DType::float64);
}

void PCA::check_input(const char* op, const Tensor& x) const {
  check_floating(op, x);
  if (x.dim() != 2 || x.size(1) != features()) {
    throw ShapeError(std::string(op) + ": expected rows of " + std::to_string(features()) +
                     " features (N, " + std::to_string(features()) + "), got shape " +
                     shape_str(x.shape()));
  }
}

void PCA::check_k(const char* op, std::int64_t k) const {
  if (k < 0 || k > features()) {
    throw ValueError(std::string(op) + ": k must be a number of components in 0.." +
                     std::to_string(features()) + ", got " + std::to_string(k));
  }
}

Tensor PCA::encode(const Tensor& x, std::int64_t k) const {
  check_k("PCA::encode", k);
  const Tensor centred = checked_input("PCA::encode", x) - mean_;  // (N, D)
  return matmul(centred, components_.rows(0, k), false, true);     // (N, D) @ (k, D)^T -> (N, k)
}

Tensor PCA::decode(const Tensor& codes) const {
  check_floating("PCA::decode", codes);
  if (codes.dim() != 2 || codes.size(1) > features()) {
    throw ShapeError("PCA::decode: expected codes (N, k) with k <= " + std::to_string(features()) +
                     ", got shape " + shape_str(codes.shape()));
  }
  const Tensor w_k = components_.rows(0, codes.size(1));  // (k, D)
  return matmul(codes.to(DType::float64), w_k) + mean_;   // (N, k) @ (k, D) + (D,) -> (N, D)
}

Tensor PCA::reconstruct(const Tensor& x, std::int64_t k) const { return decode(encode(x, k)); }

double PCA::sse_per_image(const Tensor& x, std::int64_t k) const {
  check_input("PCA::sse_per_image", x);
  return sse_blocks(x, k);
}

double PCA::sse_per_image(const ImageBytes& images, std::int64_t k) const {
  if (images.pixels() != features()) {
    throw ShapeError("PCA::sse_per_image: expected images of " + std::to_string(features()) +
                     " pixels, got " + std::to_string(images.pixels()));
  }
  return sse_blocks(images, k);
}

template <class Rows>
double PCA::sse_blocks(const Rows& x, std::int64_t k) const {
  check_k("PCA::sse_per_image", k);
  const std::int64_t n = row_count(x);
  if (n == 0) {
    throw ValueError("PCA::sse_per_image: x has no rows to average over");
  }
  double total = 0;  // sum_n ||x_n - reconstruct(x_n)||^2, block by block (no float64 copy of x)
  for (std::int64_t begin = 0; begin < n; begin += kRowsPerBlock) {
    const Tensor block = block64(x, begin);  // (B, D)
    total += sum(square(block - reconstruct(block, k))).item();
  }
  return total / static_cast<double>(n);
}

}  // namespace xtgrad::data
