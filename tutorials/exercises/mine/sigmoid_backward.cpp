// Exercise sigmoid_backward (chapter 02): the backward rule of the logistic sigmoid.
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise sigmoid_backward
// (the reference is solutions/sigmoid_backward.cpp: try first!)
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
    // TODO(exercise sigmoid_backward):
    //   grad_x = g * y * (1 - y)
    // return {grad_x}, with y = ctx.saved(0), the output that forward saved (a Variable: write it
    // with * and -).
    throw exercises::NotDoneYet("sigmoid_backward");
  }
};

}  // namespace

Variable exercises::sigmoid(const Variable& x) { return apply(Sigmoid{}, x); }

}  // namespace xtgrad
