// Exercise log_softmax_backward (chapter 03): the backward rule of log-softmax over classes.
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise log_softmax_backward
// (the reference is solutions/log_softmax_backward.cpp: try first!)
#include "exercises.hpp"

namespace xtgrad {
namespace {

// y[n, i] = x[n, i] - log sum_k e^x[n, k]        x, y (N, C)
//   grad_x[n, i] = g[n, i] - softmax(x)[n, i] * sum_k g[n, k],   softmax(x) = e^y
// (dy_k / dx_i = [k = i] - softmax_i: every output of a row depends on every input of it.)
// NOTE: forward subtracts each row's maximum first, so that e^x cannot overflow.
struct LogSoftmax {
  static constexpr const char* name = "log_softmax";
  Tensor forward(Context& ctx, const Variable& x) {
    if (x.dim() != 2) throw ShapeError("log_softmax: expected (N, C), got " + shape_str(x.shape()));
    ctx.save_output();  // backward needs softmax(x) = e^y
    const Tensor shifted = x.data() - xtgrad::max(x.data(), {1}, true);          // (N, C)
    return shifted - xtgrad::log(xtgrad::sum(xtgrad::exp(shifted), {1}, true));  // (N, C)
  }
  Grads backward(Context& ctx, const Variable& g) {
    // TODO(exercise log_softmax_backward):
    //   grad_x = g - e^y * (the sum of each row of g)
    // return {grad_x}, with y = ctx.saved(0). sum(g, {1}, true) keeps the row sums as (N, 1), so
    // that they broadcast over each row.
    throw exercises::NotDoneYet("log_softmax_backward");
  }
};

}  // namespace

Variable exercises::log_softmax(const Variable& x) { return apply(LogSoftmax{}, x); }

}  // namespace xtgrad
