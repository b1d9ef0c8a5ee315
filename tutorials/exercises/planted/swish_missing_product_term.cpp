// A planted bug (for the tests of check_exercises): solutions/swish_layer.cpp with one
// mistake: grad_x misses the product rule's second term, beta x s (1 - s).
// Exercise swish_layer (chapter 04): a new layer, swish with a learnable slope per feature
// (Ramachandran et al. 2017, "Searching for activation functions").
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
    const Variable x = ctx.saved(0);
    const Variable beta = ctx.saved(1);
    const Variable s = sigmoid(beta * x);                  // (N, H)
    const Variable ds = s * (1.0 - s);                     // sigmoid'(beta x)
    return {g * s, sum_to(g * x * x * ds, beta.shape())};  // PLANTED BUG: g (s + beta x ds)
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
