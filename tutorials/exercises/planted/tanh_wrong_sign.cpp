// A planted bug (for the tests of check_exercises): solutions/tanh_backward.cpp with one
// mistake: the sign is wrong: y^2 - 1 for 1 - y^2.
// Exercise tanh_backward (chapter 02): the backward rule of tanh.
#include "exercises.hpp"

namespace xtgrad {
namespace {

// y = tanh x                  grad_x = g * (1 - y^2)
struct Tanh {
  static constexpr const char* name = "tanh";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save_output();  // backward needs y, not x
    return xtgrad::tanh(x.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable y = ctx.saved(0);
    return {g * (y * y - 1.0)};  // PLANTED BUG
  }
};

}  // namespace

Variable exercises::tanh(const Variable& x) { return apply(Tanh{}, x); }

}  // namespace xtgrad
