// Exercise swish_layer (chapter 04): a new layer, swish with a learnable slope per feature
// (Ramachandran et al. 2017, "Searching for activation functions").
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise swish_layer
// (the reference is solutions/swish_layer.cpp: try first!)
#include "exercises.hpp"

namespace xtgrad {
namespace {

// y = x s,  s = sigmoid(beta x)          x (N, H), beta (H,), y (N, H)
//   grad_x = g (s + beta x s (1 - s))    product rule: d(x s)/dx = s + x ds/dx
//   grad_beta = sum over n of g x^2 s (1 - s)   (beta is shared by every row)
struct SwishFunction {
  static constexpr const char* name = "swish";
  Tensor forward(Context& ctx, const Variable& x, const Variable& beta) {
    ctx.save(x);  // both gradients need x, beta and s; s is recomputed from them
    ctx.save(beta);
    return x.data() * xtgrad::sigmoid(beta.data() * x.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    // TODO(exercise swish_layer):
    //   grad_x = g (s + beta x s (1 - s)),  grad_beta = sum over rows of g x^2 s (1 - s)
    // return {grad_x, grad_beta}, with x = ctx.saved(0), beta = ctx.saved(1) and s = sigmoid(beta
    // * x). sum_to(v, beta.shape()) sums v down to beta's shape.
    throw exercises::NotDoneYet("swish_layer");
  }
};

}  // namespace

exercises::Swish::Swish(std::int64_t features)
    : beta(register_parameter("beta", ones({features}))) {}

Variable exercises::Swish::forward(const Variable& x) { return apply(SwishFunction{}, x, beta); }

std::string exercises::Swish::describe() const {
  return "Swish(" + std::to_string(beta.numel()) + ")";
}

}  // namespace xtgrad
