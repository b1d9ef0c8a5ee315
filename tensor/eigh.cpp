// eigh: eigenvalues and eigenvectors of a symmetric matrix, through LAPACK's ?syevd.
// xtensor-blas copies the matrix to column-major order for LAPACK and hands back the
// eigenvalues (ascending) and the eigenvectors as the columns of a matrix; this file
// checks the input and copies both results into Tensors of the input's dtype.
#include <cmath>
#include <stdexcept>
#include <string>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xtensor.hpp>

#include "tensor/kernels.hpp"
#include "tensor/linalg.hpp"

namespace xtgrad {

Eigh eigh(const Tensor& a) {
  check_floating("eigh", a);
  if (a.dim() != 2 || a.size(0) != a.size(1)) {
    throw ShapeError("eigh: expected a square matrix (n, n), got shape " + shape_str(a.shape()));
  }
  const std::int64_t n = a.size(0);
  Eigh result{Tensor::empty({n}, a.dtype()), Tensor::empty({n, n}, a.dtype())};
  if (n == 0) {
    return result;  // LAPACK rejects n = 0 (its leading dimension must be at least 1)
  }

  detail::dispatch_floating("eigh", a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* values = a.data<T>();
    for (std::int64_t i = 0; i < a.numel(); ++i) {
      if (!std::isfinite(values[i])) {
        throw ValueError("eigh: the matrix " + shape_str(a.shape()) +
                         " holds a NaN or infinite value (at flat index " + std::to_string(i) +
                         ")");
      }
    }

    // 'L': LAPACK reads the lower triangle only (of the matrix, whatever its memory layout).
    xt::xtensor<T, 2> matrix = detail::xview<T>(a);
    try {
      auto [w, v] = xt::linalg::eigh(matrix, 'L');  // w ascending; v(:, j) goes with w(j)
      auto w_out = detail::xview<T>(result.eigenvalues);
      auto v_out = detail::xview<T>(result.eigenvectors);
      xt::noalias(w_out) = w;
      xt::noalias(v_out) = v;  // column-major into row-major: the same matrix
    } catch (const std::runtime_error& e) {
      // ?syevd reports info > 0 when its divide-and-conquer iteration does not converge.
      throw ValueError("eigh: LAPACK failed on the " + shape_str(a.shape()) +
                       " matrix: " + e.what());
    }
  });
  return result;
}

}  // namespace xtgrad
