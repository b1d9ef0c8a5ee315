#pragma once
// The variational autoencoder (Kingma & Welling 2014, "Auto-Encoding Variational Bayes"),
// as in PyTorch's example: a Gaussian encoder, a Bernoulli decoder.
//
//   h = relu(x W1^T + b1)                        (N, H)
//   mu = h Wm^T + bm,  logvar = h Wv^T + bv      (N, Z)   q(z|x) = N(mu, diag(e^logvar))
//   z = mu + e^(logvar / 2) * eps, eps ~ N(0, I) (N, Z)   the reparameterisation trick
//   p = sigmoid(relu(z W3^T + b3) W4^T + b4)     (N, D)   p(x|z) = Bernoulli(p)
//   -ELBO = BCE(p, x) summed over pixels + beta * KL(q(z|x) || N(0, I)),  per image
//
// The noise eps comes from the model's own seeded generator, so runs repeat and gradient
// checks replay it. beta = 1 is the plain VAE; beta > 1 is Higgins et al.'s beta-VAE.
#include "autoencoders/autoencoder.hpp"
#include "nn/linear.hpp"

namespace xtgrad::ae {

struct VAEConfig {
  std::int64_t input = 784;
  std::int64_t hidden = 400;
  std::int64_t latent = 20;
  double beta = 1.0;
};

class VariationalAutoencoder : public Autoencoder {
 public:
  VariationalAutoencoder(const VAEConfig& config, Generator& gen, std::uint64_t noise_seed = 0);

  struct Posterior {
    Variable mu, logvar;  // (N, Z) each
  };
  Posterior posterior(const Variable& x);
  // z = mu + e^(logvar / 2) eps, with eps from the model's generator.
  Variable sample_code(const Posterior& q);

  Variable encode(const Variable& x) override { return posterior(x).mu; }  // the mean code
  Variable decode(const Variable& z) override;  // sigmoid(decode_logits(z))
  Variable decode_logits(const Variable& z);
  // -ELBO per image with sampled z.
  Variable loss_for(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  std::int64_t input_size() const override { return config_.input; }
  std::int64_t code_size() const override { return config_.latent; }
  bool logistic_output() const override { return true; }
  Tensor first_layer_filters() const override { return fc1->weight.data(); }
  // neg_elbo_per_image, recon_per_image, kl_per_image (sampled z, beta = 1) and
  // neg_elbo_per_image_at_mean (z = mu).
  std::vector<std::pair<std::string, double>> report(const Tensor& x) override;

  // count images decoded from z ~ N(0, I): (count, D).
  Tensor sample(std::int64_t count, Generator& gen);
  // Decodes `steps` codes evenly spaced from mu(a) to mu(b) (a, b: (D,) images): (steps, D).
  Tensor interpolate(const Tensor& a, const Tensor& b, std::int64_t steps);

  std::shared_ptr<nn::Linear> fc1, fc_mu, fc_logvar, fc3, fc4;

 private:
  VAEConfig config_;
  Generator noise_;
};

}  // namespace xtgrad::ae
