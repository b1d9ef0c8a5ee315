#pragma once
// Matrix multiplication through BLAS (xtensor-blas, OpenBLAS underneath).
#include "tensor/tensor.hpp"

namespace xtgrad {

// op(a) @ op(b) for 2-d tensors, where op transposes when asked. The transposes are BLAS
// flags, not copies, which is what backward passes need:
//   y = matmul(x, w)                          // (N, D) @ (D, H) -> (N, H)
//   grad_x = matmul(grad_y, w, false, true)   // (N, H) @ (D, H)^T -> (N, D)
//   grad_w = matmul(x, grad_y, true, false)   // (N, D)^T @ (N, H) -> (D, H)
// ShapeError names both shapes when the inner sizes differ.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);

// Same, writing into `out` (which must already have the result's shape and dtype):
// out = alpha * op(a) @ op(b) + beta * out. For kernels that reuse their buffers.
void matmul_into(Tensor& out, const Tensor& a, const Tensor& b, bool transpose_a = false,
                 bool transpose_b = false, double alpha = 1.0, double beta = 0.0);

// A fully connected layer's output: x (N, in), weight (out, in), bias (out,):
//   y = x W^T + b                                                  (N, out)
// The bias is copied into every row and one GEMM adds x W^T to it (beta = 1): the same values
// as matmul(x, w, false, true) + b, without a second pass and a second (N, out) tensor.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

}  // namespace xtgrad

namespace xtgrad {

// Eigen-decomposition of a symmetric matrix a (n, n) by LAPACK's syevd (xtensor-blas):
// a = V diag(w) V^T with the eigenvalues w ascending and the eigenvectors as V's columns.
// Only the lower triangle of a is read. ShapeError unless a is square.
struct Eigh {
  Tensor eigenvalues;   // (n,)
  Tensor eigenvectors;  // (n, n), column j belongs to eigenvalues[j]
};
Eigh eigh(const Tensor& a);

}  // namespace xtgrad
