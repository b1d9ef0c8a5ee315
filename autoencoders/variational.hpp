#pragma once
// The variational autoencoder (Kingma & Welling 2014, "Auto-Encoding Variational Bayes"),
// as in PyTorch's example: a Gaussian encoder, a Bernoulli decoder. The last step of the
// ladder (model_kinds.hpp): the deep model D-H-Z with a linear code (`body`), which gives h and
// mu, plus a Gaussian head (a second linear layer for logvar) and a KL term.
//
//   h = relu(x W1^T + b1)                        (N, H)   body.features
//   mu = h Wm^T + bm                             (N, Z)   body.code_from_features
//   logvar = h Wv^T + bv                         (N, Z)   the head: q(z|x) = N(mu, diag(e^logvar))
//   z = mu + e^(logvar / 2) * eps, eps ~ N(0, I) (N, Z)   the reparameterisation trick
//   p = sigmoid(relu(z W3^T + b3) W4^T + b4)     (N, D)   body.decode: p(x|z) = Bernoulli(p)
//   -ELBO = BCE(p, x) summed over pixels + beta * KL(q(z|x) || N(0, I)),  per image
//
// The noise eps comes from the model's own seeded generator, so runs repeat and gradient
// checks replay it. beta = 1 is the plain VAE; beta > 1 is Higgins et al.'s beta-VAE.
#include "autoencoders/autoencoder.hpp"
#include "autoencoders/deep.hpp"
#include "nn/linear.hpp"

namespace xtgrad::ae {

struct VAEConfig {
  std::int64_t input = 784;  // (set from RunConfig::input_size by the vae kind)
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
  Variable decode(const Variable& z) override {
    return body->decode(z);
  }  // sigmoid(decode_logits(z))
  Variable decode_logits(const Variable& z) { return body->decode_logits(z); }
  // -ELBO per image with sampled z; the code is that z.
  Objective objective(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  std::int64_t input_size() const override { return config_.input; }
  std::int64_t code_size() const override { return config_.latent; }
  bool logistic_output() const override { return true; }
  Tensor first_layer_filters() const override { return body->first_layer_filters(); }
  // neg_elbo_per_image, recon_per_image, kl_per_image (sampled z, beta = 1) and
  // neg_elbo_per_image_at_mean (z = mu).
  std::vector<std::pair<std::string, double>> report(const Tensor& x) override;

  // count images decoded from z ~ N(0, I): (count, D).
  Tensor sample(std::int64_t count, Generator& gen) override;
  // samples.png (64 images decoded from the prior) and interpolation.png (from the first test
  // image's code to the second's).
  std::vector<std::string> draw_pictures(const Tensor& test_images, const std::string& dir,
                                         std::uint64_t seed) override;
  // Decodes `steps` codes evenly spaced from mu(a) to mu(b) (a, b: (D,) images): (steps, D).
  Tensor interpolate(const Tensor& a, const Tensor& b, std::int64_t steps);

  std::shared_ptr<DeepAutoencoder> body;    // D-H-Z-H-D, ReLU, linear code, logistic output
  std::shared_ptr<nn::Linear> logvar_head;  // H -> Z: what the VAE adds

 private:
  VAEConfig config_;
  Generator noise_;
};

// How many parameters a VariationalAutoencoder with this config has, counted without building
// it: the body D-H-Z-H-D (deep_parameter_count) and the logvar head H -> Z, H Z + Z.
double vae_parameter_count(const VAEConfig& config);

}  // namespace xtgrad::ae
