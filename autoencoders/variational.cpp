#include "autoencoders/variational.hpp"

#include <sstream>

#include "nn/losses.hpp"
#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::ae {

VariationalAutoencoder::VariationalAutoencoder(const VAEConfig& config, Generator& gen, std::uint64_t noise_seed)
    : config_(config), noise_(noise_seed) {
  if (config.input <= 0 || config.hidden <= 0 || config.latent <= 0 || config.beta < 0) {
    throw ValueError("VariationalAutoencoder: sizes must be positive and beta >= 0");
  }
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(config.input, config.hidden, gen));
  fc_mu = register_module("fc_mu", std::make_shared<nn::Linear>(config.hidden, config.latent, gen));
  fc_logvar = register_module("fc_logvar", std::make_shared<nn::Linear>(config.hidden, config.latent, gen));
  fc3 = register_module("fc3", std::make_shared<nn::Linear>(config.latent, config.hidden, gen));
  fc4 = register_module("fc4", std::make_shared<nn::Linear>(config.hidden, config.input, gen));
  register_generator(&noise_);
}

VariationalAutoencoder::Posterior VariationalAutoencoder::posterior(const Variable& x) {
  const Variable h = relu((*fc1)(x));     // (N, H)
  return {(*fc_mu)(h), (*fc_logvar)(h)};  // (N, Z), (N, Z)
}

Variable VariationalAutoencoder::sample_code(const Posterior& q) {
  const Variable eps(randn(q.mu.shape(), noise_, q.mu.dtype()));  // a constant: no gradient
  return q.mu + exp(0.5 * q.logvar) * eps;                        // gradients reach mu and logvar
}

Variable VariationalAutoencoder::decode(const Variable& z) { return sigmoid(decode_logits(z)); }

Variable VariationalAutoencoder::decode_logits(const Variable& z) {
  return (*fc4)(relu((*fc3)(z)));  // (N, D)
}

Variable VariationalAutoencoder::loss_for(const Variable& input, const Variable& target) {
  const Posterior q = posterior(input);
  const Variable logits = decode_logits(sample_code(q));
  const double n = static_cast<double>(input.shape()[0]);
  const Variable recon = nn::bce_with_logits_loss(logits, target, nn::Reduction::sum) / n;
  const Variable kl = nn::kl_normal_loss(q.mu, q.logvar, nn::Reduction::sum) / n;
  return recon + config_.beta * kl;
}

std::string VariationalAutoencoder::describe() const {
  std::ostringstream s;
  s << "VAE(" << config_.input << "-" << config_.hidden << "-" << config_.latent;
  if (config_.beta != 1.0) s << ", beta " << config_.beta;
  return s.str() + ")";
}

std::vector<std::pair<std::string, double>> VariationalAutoencoder::report(const Tensor& x) {
  const bool was_training = is_training();
  eval();
  NoGradGuard no_grad;
  double recon = 0, kl = 0, recon_at_mean = 0;
  for (std::int64_t begin = 0; begin < x.size(0); begin += 1000) {
    const Variable batch(x.rows(begin, std::min(begin + 1000, x.size(0))));
    const Posterior q = posterior(batch);
    recon += nn::bce_with_logits_loss(decode_logits(sample_code(q)), batch, nn::Reduction::sum).item();
    recon_at_mean += nn::bce_with_logits_loss(decode_logits(q.mu), batch, nn::Reduction::sum).item();
    kl += nn::kl_normal_loss(q.mu, q.logvar, nn::Reduction::sum).item();
  }
  train(was_training);
  const double n = static_cast<double>(x.size(0));
  return {{"neg_elbo_per_image", (recon + kl) / n},
          {"recon_per_image", recon / n},
          {"kl_per_image", kl / n},
          {"neg_elbo_per_image_at_mean", (recon_at_mean + kl) / n}};
}

Tensor VariationalAutoencoder::sample(std::int64_t count, Generator& gen) {
  NoGradGuard no_grad;
  const DType dtype = fc1->weight.dtype();
  return decode(Variable(randn({count, config_.latent}, gen, dtype))).data();
}

Tensor VariationalAutoencoder::interpolate(const Tensor& a, const Tensor& b, std::int64_t steps) {
  if (steps < 2) {
    throw ValueError("interpolate: needs at least 2 steps, got " + std::to_string(steps));
  }
  NoGradGuard no_grad;
  const Tensor ends = stack({a.reshape({-1}), b.reshape({-1})});  // (2, D)
  const Tensor mu = posterior(Variable(ends)).mu.data();           // (2, Z)
  const Tensor t = linspace(0, 1, steps, mu.dtype()).reshape({steps, 1});
  const Tensor codes = mu.rows(0, 1) * (1.0 - t) + mu.rows(1, 2) * t;  // (steps, Z)
  return decode(Variable(codes)).data();
}

}  // namespace xtgrad::ae
