// Exercise bce_backward (chapter 07): the backward rule of binary cross-entropy.
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
    const Variable p = ctx.saved(0);
    const Variable t = ctx.saved(1);
    return {g * (p - t) / (p * (1.0 - p)), Variable()};
  }
};

}  // namespace

Variable exercises::bce(const Variable& p, const Variable& t) { return apply(Bce{}, p, t); }

}  // namespace xtgrad
