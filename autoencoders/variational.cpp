#include "autoencoders/variational.hpp"

#include <cmath>
#include <sstream>

#include "data/pictures.hpp"
#include "nn/losses.hpp"
#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::ae {

namespace {

// The deep model D-H-Z under the Gaussian head: ReLU, a linear code (mu), a logistic output.
DeepConfig body_config(const VAEConfig& v) {
  DeepConfig deep;
  deep.sizes = {v.input, v.hidden, v.latent};
  deep.hidden = nn::Activation::relu;
  deep.code = nn::Activation::identity;  // mu is linear in h
  deep.output = nn::Activation::sigmoid;
  deep.loss = ReconstructionLoss::bce;
  return deep;
}

}  // namespace

// [book:vae-body]
VariationalAutoencoder::VariationalAutoencoder(const VAEConfig& config, Generator& gen,
                                               std::uint64_t noise_seed)
    : config_(config), noise_(noise_seed) {
  if (config.input <= 0 || config.hidden <= 0 || config.latent <= 0 || config.beta < 0) {
    throw ValueError("VariationalAutoencoder: sizes must be positive and beta >= 0");
  }
  body = register_module("body", std::make_shared<DeepAutoencoder>(body_config(config), gen));
  logvar_head =
      register_module("logvar", std::make_shared<nn::Linear>(config.hidden, config.latent, gen));
  register_generator(&noise_);
}
// [/book:vae-body]

// [book:vae-posterior]
VariationalAutoencoder::Posterior VariationalAutoencoder::posterior(const Variable& x) {
  const Variable h = body->features(x);                     // (N, H)
  return {body->code_from_features(h), (*logvar_head)(h)};  // (N, Z), (N, Z)
}
// [/book:vae-posterior]

// [book:vae-objective]
Variable VariationalAutoencoder::sample_code(const Posterior& q) {
  const Variable eps(randn(q.mu.shape(), noise_, q.mu.dtype()));  // a constant: no gradient
  return q.mu + exp(0.5 * q.logvar) * eps;                        // gradients reach mu and logvar
}

Autoencoder::Objective VariationalAutoencoder::objective(const Variable& input,
                                                         const Variable& target) {
  const Posterior q = posterior(input);
  const Variable z = sample_code(q);
  const double n = static_cast<double>(input.shape()[0]);
  const Variable recon = nn::bce_with_logits_loss(decode_logits(z), target, nn::Reduction::sum) / n;
  const Variable kl = nn::kl_normal_loss(q.mu, q.logvar, nn::Reduction::sum) / n;
  return {z, recon + config_.beta * kl};
}
// [/book:vae-objective]

std::string VariationalAutoencoder::describe() const {
  std::ostringstream s;
  s << "VAE(" << config_.input << "-" << config_.hidden << "-" << config_.latent;
  if (config_.beta != 1.0) s << ", beta " << config_.beta;
  return s.str() + ")";
}

std::vector<std::pair<std::string, double>> VariationalAutoencoder::report(const Tensor& x) {
  const nn::EvalModeGuard eval_mode(*this);
  NoGradGuard no_grad;
  double recon = 0, kl = 0, recon_at_mean = 0;
  for (std::int64_t begin = 0; begin < x.size(0); begin += kEvalBatchRows) {
    const Variable batch(x.rows(begin, std::min(begin + kEvalBatchRows, x.size(0))));
    const Posterior q = posterior(batch);
    recon +=
        nn::bce_with_logits_loss(decode_logits(sample_code(q)), batch, nn::Reduction::sum).item();
    recon_at_mean +=
        nn::bce_with_logits_loss(decode_logits(q.mu), batch, nn::Reduction::sum).item();
    kl += nn::kl_normal_loss(q.mu, q.logvar, nn::Reduction::sum).item();
  }
  const double n = static_cast<double>(x.size(0));
  return {{"neg_elbo_per_image", (recon + kl) / n},
          {"recon_per_image", recon / n},
          {"kl_per_image", kl / n},
          {"neg_elbo_per_image_at_mean", (recon_at_mean + kl) / n}};
}

Tensor VariationalAutoencoder::sample(std::int64_t count, Generator& gen) {
  NoGradGuard no_grad;
  const DType dtype = logvar_head->weight.dtype();
  return decode(Variable(randn({count, config_.latent}, gen, dtype))).data();
}

Tensor VariationalAutoencoder::interpolate(const Tensor& a, const Tensor& b, std::int64_t steps) {
  if (steps < 2) {
    throw ValueError("interpolate: needs at least 2 steps, got " + std::to_string(steps));
  }
  NoGradGuard no_grad;
  const Tensor ends = stack({a.reshape({-1}), b.reshape({-1})});  // (2, D)
  const Tensor mu = posterior(Variable(ends)).mu.data();          // (2, Z)
  const Tensor t = linspace(0, 1, steps, mu.dtype()).reshape({steps, 1});
  const Tensor codes = mu.rows(0, 1) * (1.0 - t) + mu.rows(1, 2) * t;  // (steps, Z)
  return decode(Variable(codes)).data();
}

std::vector<std::string> VariationalAutoencoder::draw_pictures(const Tensor& test_images,
                                                               const std::string& dir,
                                                               std::uint64_t seed) {
  Generator gen(seed);
  const std::string samples = dir + "/samples.png", interpolation = dir + "/interpolation.png";
  data::save_image_grid(samples, sample(64, gen), 28, 28, 8, 3);
  data::save_image_grid(interpolation,
                        interpolate(test_images.rows(0, 1), test_images.rows(1, 2), 10), 28, 28, 10,
                        3);
  return {samples, interpolation};
}

double vae_parameter_count(const VAEConfig& v) {
  const double h = static_cast<double>(v.hidden), z = static_cast<double>(v.latent);
  return deep_parameter_count(body_config(v)) + (h * z + z);
}

}  // namespace xtgrad::ae
