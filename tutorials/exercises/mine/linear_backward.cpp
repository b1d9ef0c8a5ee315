// Exercise linear_backward (chapter 05): the backward rule of a fully connected layer.
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise linear_backward
// (the reference is solutions/linear_backward.cpp: try first!)
#include "exercises.hpp"

namespace xtgrad {
namespace {

// y = x W^T + b               x (N, in), W (out, in), b (out,), y (N, out)
//   grad_x = g W              (N, out) (out, in) -> (N, in)
//   grad_W = g^T x            (out, N) (N, in)   -> (out, in)
//   grad_b = sum over n of g  (out,): b was added to every row
struct Linear {
  static constexpr const char* name = "linear";
  Tensor forward(Context& ctx, const Variable& x, const Variable& w, const Variable& b) {
    ctx.save(x);  // grad_W needs x
    ctx.save(w);  // grad_x needs W
    return xtgrad::matmul(x.data(), w.data(), false, true) + b.data();
  }
  Grads backward(Context& ctx, const Variable& g) {
    // TODO(exercise linear_backward):
    //   grad_x = g W,  grad_W = g^T x,  grad_b = sum over rows of g
    // return {grad_x, grad_w, grad_b}, with x = ctx.saved(0) and w = ctx.saved(1). matmul(u, v,
    // transpose_u, transpose_v) takes the transposes as flags; sum(v, {0}) sums over rows.
    throw exercises::NotDoneYet("linear_backward");
  }
};

}  // namespace

Variable exercises::linear(const Variable& x, const Variable& w, const Variable& b) {
  return apply(Linear{}, x, w, b);
}

}  // namespace xtgrad
