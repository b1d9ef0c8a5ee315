// Exercise l2_penalty_backward (chapter 09): the backward rule of weight decay's penalty.
#include "exercises.hpp"

namespace xtgrad {
namespace {

// l = lambda / 2 * sum_i w_i^2        a scalar
//   grad_w = g * lambda * w           (the 1/2 cancels the 2 of d w^2 = 2 w)
struct L2Penalty {
  static constexpr const char* name = "l2_penalty";
  double lambda;
  Tensor forward(Context& ctx, const Variable& w) {
    ctx.save(w);
    return lambda / 2.0 * xtgrad::sum(xtgrad::square(w.data()));
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable w = ctx.saved(0);
    return {g * lambda * w};
  }
};

}  // namespace

Variable exercises::l2_penalty(const Variable& w, double lambda) {
  return apply(L2Penalty{lambda}, w);
}

}  // namespace xtgrad
