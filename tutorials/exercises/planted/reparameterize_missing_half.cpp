// A planted bug (for the tests of check_exercises): solutions/reparameterize_backward.cpp with one
// mistake: the 1/2 of d sigma / d logvar = sigma / 2 is missing.
// Exercise reparameterize_backward (chapter 11): the VAE's reparameterisation trick
// (Kingma & Welling 2014): the sample is a differentiable function of mu and logvar.
#include "exercises.hpp"

namespace xtgrad {
namespace {

// z = mu + sigma * eps,  sigma = e^(logvar / 2),  eps ~ N(0, 1)      all (N, Z)
//   grad_mu = g
//   grad_logvar = g * eps * sigma / 2           (d sigma / d logvar = sigma / 2)
struct Reparameterize {
  static constexpr const char* name = "reparameterize";
  Generator* gen;
  Tensor eps;  // the noise forward drew, kept for backward
  Tensor forward(Context& ctx, const Variable& mu, const Variable& logvar) {
    if (mu.shape() != logvar.shape()) {
      throw ShapeError("reparameterize: mu " + shape_str(mu.shape()) + " and logvar " +
                       shape_str(logvar.shape()) + " differ");
    }
    ctx.save(logvar);  // grad_logvar needs sigma
    eps = randn(mu.shape(), *gen, mu.dtype());
    return mu.data() + xtgrad::exp(0.5 * logvar.data()) * eps;
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable logvar = ctx.saved(0);
    const Variable sigma = exp(0.5 * logvar);
    return {g, g * Variable(eps) * sigma};  // PLANTED BUG
  }
};

}  // namespace

Variable exercises::reparameterize(const Variable& mu, const Variable& logvar, Generator& gen) {
  return apply(Reparameterize{&gen, Tensor()}, mu, logvar);
}

}  // namespace xtgrad
