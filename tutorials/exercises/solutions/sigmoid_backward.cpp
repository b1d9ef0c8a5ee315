// Exercise sigmoid_backward (chapter 02): the backward rule of the logistic sigmoid.
#include "exercises.hpp"

namespace xtgrad {
namespace {

// y = 1 / (1 + e^-x)          grad_x = g * y * (1 - y)
struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save_output();  // backward needs y, not x
    return xtgrad::sigmoid(x.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable y = ctx.saved(0);
    return {g * y * (1.0 - y)};
  }
};

}  // namespace

Variable exercises::sigmoid(const Variable& x) { return apply(Sigmoid{}, x); }

}  // namespace xtgrad
