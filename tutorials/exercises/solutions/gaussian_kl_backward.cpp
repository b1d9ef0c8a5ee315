// Exercise gaussian_kl_backward (chapter 11): the VAE's KL term, against a standard normal
// (Kingma & Welling 2014, appendix B).
#include "exercises.hpp"

namespace xtgrad {
namespace {

// KL = -1/2 sum_{n, j} (1 + logvar - mu^2 - e^logvar)      mu, logvar (N, Z); a scalar
//   grad_mu = g * mu
//   grad_logvar = g * (e^logvar - 1) / 2
struct GaussianKl {
  static constexpr const char* name = "gaussian_kl";
  Tensor forward(Context& ctx, const Variable& mu, const Variable& logvar) {
    if (mu.shape() != logvar.shape()) {
      throw ShapeError("gaussian_kl: mu " + shape_str(mu.shape()) + " and logvar " +
                       shape_str(logvar.shape()) + " differ");
    }
    ctx.save(mu);
    ctx.save(logvar);
    const Tensor& lv = logvar.data();
    return -0.5 * xtgrad::sum(1.0 + lv - xtgrad::square(mu.data()) - xtgrad::exp(lv));
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable mu = ctx.saved(0);
    const Variable logvar = ctx.saved(1);
    return {g * mu, g * (exp(logvar) - 1.0) * 0.5};
  }
};

}  // namespace

Variable exercises::gaussian_kl(const Variable& mu, const Variable& logvar) {
  return apply(GaussianKl{}, mu, logvar);
}

}  // namespace xtgrad
