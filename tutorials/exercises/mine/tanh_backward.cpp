// Exercise tanh_backward (chapter 02): the backward rule of tanh.
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise tanh_backward
// (the reference is solutions/tanh_backward.cpp: try first!)
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
    // TODO(exercise tanh_backward):
    //   grad_x = g * (1 - y^2)
    // return {grad_x}, with y = ctx.saved(0), the output that forward saved.
    throw exercises::NotDoneYet("tanh_backward");
  }
};

}  // namespace

Variable exercises::tanh(const Variable& x) { return apply(Tanh{}, x); }

}  // namespace xtgrad
