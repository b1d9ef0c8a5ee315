// Exercise linear_backward (chapter 05): the backward rule of a fully connected layer.
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
    const Variable x = ctx.saved(0);
    const Variable w = ctx.saved(1);
    return {matmul(g, w), matmul(g, x, true, false), sum(g, {0})};
  }
};

}  // namespace

Variable exercises::linear(const Variable& x, const Variable& w, const Variable& b) {
  return apply(Linear{}, x, w, b);
}

}  // namespace xtgrad
