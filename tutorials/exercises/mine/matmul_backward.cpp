// Exercise matmul_backward (chapter 03): the backward rule of a matrix product.
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise matmul_backward
// (the reference is solutions/matmul_backward.cpp: try first!)
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
    // TODO(exercise matmul_backward):
    //   grad_A = g B^T,  grad_B = A^T g
    // return {grad_a, grad_b}, with a = ctx.saved(0) and b = ctx.saved(1). matmul(u, v,
    // transpose_u, transpose_v) takes the transposes as flags.
    throw exercises::NotDoneYet("matmul_backward");
  }
};

}  // namespace

Variable exercises::matmul(const Variable& a, const Variable& b) { return apply(MatMul{}, a, b); }

}  // namespace xtgrad
