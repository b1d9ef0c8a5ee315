#pragma once
// Principal component analysis: the best linear autoencoder, as a baseline.
//
// For k components, PCA's encoder and decoder are
//
//   codes = (x - mean) W_k^T      (N, D) -> (N, k)
//   x_rec = codes W_k + mean      (N, k) -> (N, D)
//
// where the rows of W_k (k, D) are the eigenvectors of the data's covariance matrix with the
// k largest eigenvalues. Among all maps through k numbers that are linear (plus a shift),
// this one has the smallest squared reconstruction error on the data it was fitted to
// (Eckart & Young 1936). A linear autoencoder trained on squared error converges to the same
// subspace (Baldi & Hornik 1989), so a nonlinear autoencoder with a k-unit bottleneck should
// beat PCA's error to be worth its cost.
//
//   PCA pca = PCA::fit(train.images);                  // (60000, 784)
//   double err = pca.sse_per_image(test.images, 32);   // squared error per test image
//
// Everything is computed in float64 (float32 inputs and images as bytes are converted, 1000
// rows at a time): the covariance sums 60 000 products per entry.
#include <atomic>
#include <cstdint>

#include "data/image_bytes.hpp"
#include "tensor/tensor.hpp"

namespace xtgrad::data {

class PCA {
 public:
  // Fits to the rows of x (N, D), N >= 1, float32 or float64:
  //   mean = (1/N) sum_n x_n                        (D,)
  //   C    = (1/N) (x - mean)^T (x - mean)          (D, D)
  //   C    = V diag(lambda) V^T  by eigh, then sorted so that lambda_1 >= lambda_2 >= ...
  // NOTE: C divides by N (the maximum-likelihood estimate), not N - 1 (the unbiased one, as in
  // scikit-learn). This scales every eigenvalue by (N - 1) / N and leaves the eigenvectors,
  // hence the codes and reconstructions, unchanged.
  static PCA fit(const Tensor& x);
  // The same fit to images kept as bytes (N, D), each block converted to pixel values: the
  // numbers are those of fit(images.to_float()), without that float copy. When `stop` is
  // raised (by a signal handler) the fit ends after the block under way with Interrupted.
  static PCA fit(const ImageBytes& images, const std::atomic<bool>* stop = nullptr);

  std::int64_t features() const { return mean_.size(0); }  // D
  // The mean image (D,), float64.
  const Tensor& mean() const { return mean_; }
  // All D principal directions as the rows of a (D, D) float64 matrix, orthonormal: row j
  // is the eigenvector of C with the (j+1)-th largest eigenvalue, explained_variance()[j].
  const Tensor& components() const { return components_; }
  // The variance of the data along each component, lambda_j (D,), decreasing. Their sum is
  // the total variance; the first k of them are the variance a k-component code keeps.
  const Tensor& explained_variance() const { return variance_; }

  // The first k coordinates of each row of x (N, D) in the principal basis: (N, k) float64.
  // 0 <= k <= D.
  Tensor encode(const Tensor& x, std::int64_t k) const;
  // Back from codes (N, k) to (N, D) float64; k = 0 gives the mean image for every row.
  Tensor decode(const Tensor& codes) const;
  // decode(encode(x, k)): the projection of x onto the k-dimensional principal subspace.
  Tensor reconstruct(const Tensor& x, std::int64_t k) const;
  // The squared reconstruction error summed over the D features and averaged over the
  // rows: (1/N) sum_n ||x_n - reconstruct(x, k)_n||^2.
  double sse_per_image(const Tensor& x, std::int64_t k) const;
  double sse_per_image(const ImageBytes& images, std::int64_t k) const;

 private:
  PCA(Tensor mean, Tensor components, Tensor variance);
  // fit and sse_per_image over blocks of rows of a float tensor or of ImageBytes (pca.cpp).
  template <class Rows>
  static PCA fit_blocks(const Rows& x, std::int64_t d, const std::atomic<bool>* stop);
  template <class Rows>
  double sse_blocks(const Rows& x, std::int64_t k) const;
  // x as float64 after checking that it is (N, D) with this PCA's D; `op` names the caller.
  Tensor checked_input(const char* op, const Tensor& x) const;
  // The same check, without the conversion.
  void check_input(const char* op, const Tensor& x) const;
  void check_k(const char* op, std::int64_t k) const;

  Tensor mean_;        // (D,)
  Tensor components_;  // (D, D), one component per row
  Tensor variance_;    // (D,)
};

}  // namespace xtgrad::data
