// Matrix multiplication through xtensor-blas's gemm (OpenBLAS's sgemm/dgemm underneath).
//
// Tensors are contiguous row-major, so a (rows, cols) tensor is exactly the matrix BLAS
// expects, and a transpose is only a flag that tells BLAS to read it the other way round.
#include <algorithm>
#include <string>

#include <xtensor-blas/xblas.hpp>

#include "tensor/kernels.hpp"
#include "tensor/linalg.hpp"

namespace xtgrad {

namespace {

struct GemmShape {
  std::int64_t m, k, n;  // op(a) is (m, k), op(b) is (k, n)
};

std::string operand_str(const Tensor& t, bool transposed) {
  return shape_str(t.shape()) + (transposed ? "^T" : "");
}

// Validates the operands and returns the product's dimensions.
GemmShape gemm_shape(const char* op, const Tensor& a, const Tensor& b, bool ta, bool tb) {
  check_same_dtype(op, a, b);
  check_floating(op, a);
  if (a.dim() != 2 || b.dim() != 2) {
    throw ShapeError(std::string(op) + ": expected 2-d tensors, got " + shape_str(a.shape()) +
                     " and " + shape_str(b.shape()));
  }
  const std::int64_t m = ta ? a.size(1) : a.size(0);
  const std::int64_t k = ta ? a.size(0) : a.size(1);
  const std::int64_t kb = tb ? b.size(1) : b.size(0);
  const std::int64_t n = tb ? b.size(0) : b.size(1);
  if (k != kb) {
    throw ShapeError(std::string(op) + ": cannot multiply " + operand_str(a, ta) + " by " +
                     operand_str(b, tb) + ": inner sizes " + std::to_string(k) + " and " +
                     std::to_string(kb) + " differ");
  }
  return {m, k, n};
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  const GemmShape g = gemm_shape("matmul", a, b, transpose_a, transpose_b);
  Tensor out = Tensor::empty({g.m, g.n}, a.dtype());
  matmul_into(out, a, b, transpose_a, transpose_b, 1.0, 0.0);
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  const GemmShape g = gemm_shape("linear", x, weight, false, true);
  check_same_dtype("linear", bias, x);
  if (bias.shape() != Shape{g.n}) {
    throw ShapeError("linear: the bias has shape " + shape_str(bias.shape()) + " but " +
                     operand_str(x, false) + " @ " + operand_str(weight, true) + " needs (" +
                     std::to_string(g.n) + ",)");
  }
  Tensor out = Tensor::empty({g.m, g.n}, x.dtype());
  detail::dispatch_floating("linear", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* b = bias.data<T>();
    T* row = out.data<T>();
    for (std::int64_t i = 0; i < g.m; ++i, row += g.n) std::copy(b, b + g.n, row);
  });
  matmul_into(out, x, weight, false, true, 1.0, 1.0);  // out = x W^T + out
  return out;
}

void matmul_into(Tensor& out, const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b,
                 double alpha, double beta) {
  const GemmShape g = gemm_shape("matmul_into", a, b, transpose_a, transpose_b);
  check_same_dtype("matmul_into", out, a);
  if (out.shape() != Shape{g.m, g.n}) {
    throw ShapeError("matmul_into: the output has shape " + shape_str(out.shape()) + " but " +
                     operand_str(a, transpose_a) + " @ " + operand_str(b, transpose_b) +
                     " has shape " + shape_str({g.m, g.n}));
  }
  if (g.m == 0 || g.n == 0) {
    return;
  }
  if (g.k == 0) {  // an empty sum: out = beta * out (BLAS rejects zero leading dimensions)
    if (beta == 0.0) {
      out.zero_();
    } else {
      out.mul_(beta);
    }
    return;
  }
  detail::dispatch_floating("matmul", a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto xa = detail::xview<T>(a);
    auto xb = detail::xview<T>(b);
    auto xo = detail::xview<T>(out);
    xt::blas::gemm(xa, xb, xo, transpose_a, transpose_b, static_cast<T>(alpha),
                   static_cast<T>(beta));
  });
  out.bump_version();
}

}  // namespace xtgrad
