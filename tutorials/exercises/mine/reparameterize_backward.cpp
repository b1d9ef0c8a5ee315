// Exercise reparameterize_backward (chapter 11): the VAE's reparameterisation trick
// (Kingma & Welling 2014): the sample is a differentiable function of mu and logvar.
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise reparameterize_backward
// (the reference is solutions/reparameterize_backward.cpp: try first!)
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
    // TODO(exercise reparameterize_backward):
    //   grad_mu = g,  grad_logvar = g * eps * sigma / 2,  sigma = e^(logvar / 2)
    // return {grad_mu, grad_logvar}, with logvar = ctx.saved(0) and eps the noise that forward
    // drew (a Tensor field of this struct: Variable(eps)).
    throw exercises::NotDoneYet("reparameterize_backward");
  }
};

}  // namespace

Variable exercises::reparameterize(const Variable& mu, const Variable& logvar, Generator& gen) {
  return apply(Reparameterize{&gen, Tensor()}, mu, logvar);
}

}  // namespace xtgrad
