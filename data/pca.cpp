// PCA by an eigen-decomposition of the covariance matrix, in float64.
#include "data/pca.hpp"

#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "tensor/linalg.hpp"
#include "tensor/manipulation.hpp"
#include "tensor/math.hpp"
#include "tensor/reduce.hpp"

namespace xtgrad::data {

PCA::PCA(Tensor mean, Tensor components, Tensor variance)
    : mean_(std::move(mean)), components_(std::move(components)), variance_(std::move(variance)) {}

PCA PCA::fit(const Tensor& x) {
  check_floating("PCA::fit", x);
  if (x.dim() != 2 || x.size(0) < 1) {
    throw ShapeError("PCA::fit: expected data (N, D) with N >= 1 rows, got shape " +
                     shape_str(x.shape()));
  }
  const std::int64_t n = x.size(0);
  const std::int64_t d = x.size(1);

  // Our own float64 copy, centred in place (for 60000 x 784 images it is 376 MB).
  Tensor centred = x.dtype() == DType::float64 ? x.clone() : x.to(DType::float64);  // (N, D)
  Tensor mu = xtgrad::mean(centred, {0});  // (D,)   (PCA::mean() hides the free function)
  centred.add_(mu, -1.0);                  // (N, D)
  const Tensor cov = matmul(centred, centred, true, false) / static_cast<double>(n);  // (D, D)

  // eigh sorts the eigenvalues ascending; PCA wants the largest first.
  const Eigh eig = eigh(cov);
  std::vector<std::int64_t> descending(static_cast<std::size_t>(d));
  std::iota(descending.rbegin(), descending.rend(), std::int64_t{0});  // d-1, ..., 1, 0
  Tensor components = gather_rows(eig.eigenvectors.transpose(), descending);  // (D, D) rows
  // NOTE: C is positive semi-definite, but rounding can make its smallest eigenvalues come out
  // as tiny negative numbers; a variance cannot be negative, so clamp them to 0.
  Tensor variance = clamp(gather_rows(eig.eigenvalues, descending), 0.0,
                          std::numeric_limits<double>::infinity());  // (D,)
  return PCA(std::move(mu), std::move(components), std::move(variance));
}

Tensor PCA::checked_input(const char* op, const Tensor& x) const {
  check_floating(op, x);
  if (x.dim() != 2 || x.size(1) != features()) {
    throw ShapeError(std::string(op) + ": expected rows of " + std::to_string(features()) +
                     " features (N, " + std::to_string(features()) + "), got shape " +
                     shape_str(x.shape()));
  }
  return x.to(DType::float64);
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
    throw ShapeError("PCA::decode: expected codes (N, k) with k <= " +
                     std::to_string(features()) + ", got shape " + shape_str(codes.shape()));
  }
  const Tensor w_k = components_.rows(0, codes.size(1));       // (k, D)
  return matmul(codes.to(DType::float64), w_k) + mean_;       // (N, k) @ (k, D) + (D,) -> (N, D)
}

Tensor PCA::reconstruct(const Tensor& x, std::int64_t k) const { return decode(encode(x, k)); }

double PCA::sse_per_image(const Tensor& x, std::int64_t k) const {
  const Tensor x64 = checked_input("PCA::sse_per_image", x);  // (N, D)
  if (x64.size(0) == 0) {
    throw ValueError("PCA::sse_per_image: x has no rows to average over");
  }
  const Tensor squared_error = square(x64 - reconstruct(x64, k));  // (N, D)
  return sum(squared_error).item() / static_cast<double>(x64.size(0));
}

}  // namespace xtgrad::data
