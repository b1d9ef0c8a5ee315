// A planted bug (for the tests of check_exercises): solutions/matmul_backward.cpp with one
// mistake: grad_B = A g: the transpose of A is missing.
// Exercise matmul_backward (chapter 03): the backward rule of a matrix product.
#include "exercises.hpp"

namespace xtgrad {
namespace {

// Y = A B                     A (N, K), B (K, M), Y (N, M)
//   grad_A = g B^T            (N, M) (M, K) -> (N, K)
//   grad_B = A^T g            (K, N) (N, M) -> (K, M)
// (matmul(a, b, transpose_a, transpose_b) takes the transposes as flags.)
struct MatMul {
  static constexpr const char* name = "matmul";
  Tensor forward(Context& ctx, const Variable& a, const Variable& b) {
    ctx.save(a);  // grad_B needs A
    ctx.save(b);  // grad_A needs B
    return xtgrad::matmul(a.data(), b.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable a = ctx.saved(0);
    const Variable b = ctx.saved(1);
    return {matmul(g, b, false, true), matmul(a, g)};  // PLANTED BUG: A^T
  }
};

}  // namespace

Variable exercises::matmul(const Variable& a, const Variable& b) { return apply(MatMul{}, a, b); }

}  // namespace xtgrad
