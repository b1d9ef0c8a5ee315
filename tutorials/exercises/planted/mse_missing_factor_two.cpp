// A planted bug (for the tests of check_exercises): solutions/mse_backward.cpp with one
// mistake: the 2 of d(d^2) = 2 d is missing.
// Exercise mse_backward (chapter 08): the backward rule of the mean squared error.
#include "exercises.hpp"

namespace xtgrad {
namespace {

// l = 1/n sum_i (pred_i - target_i)^2    a scalar over all n elements; target is data
//   grad_pred = g * 2 (pred - target) / n
struct Mse {
  static constexpr const char* name = "mse";
  Tensor forward(Context& ctx, const Variable& pred, const Variable& target) {
    if (pred.shape() != target.shape()) {
      throw ShapeError("mse: pred " + shape_str(pred.shape()) + " and target " +
                       shape_str(target.shape()) + " differ");
    }
    ctx.save(pred);
    ctx.save(target);
    return xtgrad::mean(xtgrad::square(pred.data() - target.data()));
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable pred = ctx.saved(0);
    const Variable target = ctx.saved(1);
    const auto n = static_cast<double>(pred.numel());
    return {g * (pred - target) / n, Variable()};  // PLANTED BUG
  }
};

}  // namespace

Variable exercises::mse(const Variable& pred, const Variable& target) {
  return apply(Mse{}, pred, target);
}

}  // namespace xtgrad
