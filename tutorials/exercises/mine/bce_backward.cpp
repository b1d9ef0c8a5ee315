// Exercise bce_backward (chapter 07): the backward rule of binary cross-entropy.
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise bce_backward
// (the reference is solutions/bce_backward.cpp: try first!)
#include "exercises.hpp"

namespace xtgrad {
namespace {

// l = -(t log p + (1 - t) log(1 - p))    elementwise, p in (0, 1); t is data (no gradient)
//   grad_p = g (-t / p + (1 - t) / (1 - p)) = g (p - t) / (p (1 - p))
// NOTE: at p = 0 or 1 this is inf; the library's binary_cross_entropy clamps the logs at
// -100 and the denominator at 1e-12 (autograd/primitives.hpp).
struct Bce {
  static constexpr const char* name = "bce";
  Tensor forward(Context& ctx, const Variable& p, const Variable& t) {
    if (p.shape() != t.shape()) {
      throw ShapeError("bce: p " + shape_str(p.shape()) + " and t " + shape_str(t.shape()) +
                       " differ");
    }
    ctx.save(p);
    ctx.save(t);
    const Tensor& pd = p.data();
    const Tensor& td = t.data();
    return -(td * xtgrad::log(pd) + (1.0 - td) * xtgrad::log(1.0 - pd));
  }
  Grads backward(Context& ctx, const Variable& g) {
    // TODO(exercise bce_backward):
    //   grad_p = g (p - t) / (p (1 - p))
    // return {grad_p, Variable()}, with p = ctx.saved(0) and t = ctx.saved(1); the undefined
    // Variable() says "no gradient" for t.
    throw exercises::NotDoneYet("bce_backward");
  }
};

}  // namespace

Variable exercises::bce(const Variable& p, const Variable& t) { return apply(Bce{}, p, t); }

}  // namespace xtgrad
