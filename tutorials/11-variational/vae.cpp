// Chapter 11: the variational autoencoder (Kingma & Welling, "Auto-Encoding Variational Bayes",
// ICLR 2014), the PyTorch example's 784-400-20 model, on Fashion-MNIST.
//
// The ladder's last rung: the encoder's last layer becomes a Gaussian head (a mean and a
// log-variance per code unit), the code is SAMPLED from that Gaussian, and the loss gains a KL
// term that pulls each posterior q(z|x) towards the prior N(0, I).
// Legend: N batch, D = 784, H = 400, Z = 20.
//
//   h      = relu(x W1^T + b1)                         (N, H)
//   mu     = h Wmu^T + bmu,  logvar = h Wlv^T + blv    (N, Z), (N, Z)   q(z|x) = N(mu, diag e^logvar)
//   z      = mu + exp(logvar / 2) * eps,  eps ~ N(0, I) (N, Z)           the reparameterisation
//   logits = relu(z W3^T + b3) W4^T + b4               (N, D)           p(x|z) = Bernoulli(sigmoid)
//   loss   = (1/N) sum_n [ BCE_n(x, logits) + KL(q(z|x_n) || N(0, I)) ]  = -ELBO per image
//   KL     = 1/2 sum_j (mu_j^2 + e^logvar_j - logvar_j - 1)
//
// Full mode: the first 20000 training images, 10 epochs, Adam 1e-3, batch 128; the first 2000
// test images; the KL and the ELBO gap checked by Monte Carlo on 200 test images.
//
//   ch11_vae [--short] [--out DIR] [--data-dir DIR]
#include <cmath>
#include <cstdio>

#include "08-deep-autoencoders/chapter_options.hpp"
#include "08-deep-autoencoders/ladder_helpers.hpp"
#include "autoencoders/variational.hpp"
#include "data/pictures.hpp"

using namespace xtgrad;
using VAE = ae::VariationalAutoencoder;

namespace {

const char* kUsage =
    "usage: ch11_vae [--short] [--out DIR] [--data-dir DIR]\n"
    "  a 784-400-20 VAE: -ELBO, a Monte Carlo check of the closed-form KL, the ELBO gap,\n"
    "  samples and interpolations\n";

// [book:neg_elbo]
// -ELBO per image of the images x (N, D), with its two parts, the code sampled as in training.
struct Loss {
  double total, reconstruction, kl;
};
Loss neg_elbo(VAE& model, const Variable& x) {
  const VAE::Posterior q = model.posterior(x);
  const double n = static_cast<double>(x.shape()[0]);
  const Variable logits = model.decode_logits(model.sample_code(q));
  const double recon = nn::bce_with_logits_loss(logits, x, nn::Reduction::sum).item() / n;
  const double kl = nn::kl_normal_loss(q.mu, q.logvar, nn::Reduction::sum).item() / n;
  return {recon + kl, recon, kl};
}
// [/book:neg_elbo]

// [book:monte_carlo]
// For each image: the closed-form KL against the mean of log q(z|x) - log p(z) over S samples
// z = mu + sigma * eps, where (the 2 pi terms cancel)
//   log q(z|x) - log p(z) = sum_j [ -logvar_j / 2 - eps_j^2 / 2 + z_j^2 / 2 ];
// and the ELBO against an importance-sampled log p(x) (Burda et al. 2016, K samples from q):
//   log p(x) ~ log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x)   <=   log p(x),  and >= ELBO as K grows.
struct Check {
  double kl_closed = 0, kl_sampled = 0, elbo = 0, log_px = 0;
};
Check monte_carlo(VAE& model, const Tensor& images, std::int64_t samples, Generator& gen) {
  model.eval();
  NoGradGuard no_grad;
  Check c;
  const std::int64_t n = images.size(0), S = samples;
  for (std::int64_t i = 0; i < n; ++i) {
    const Variable x(images.rows(i, i + 1));                  // (1, D)
    const VAE::Posterior q = model.posterior(x);              // (1, Z)
    const Variable eps(randn({S, 20}, gen, DType::float64));  // (S, Z)
    const Variable z = q.mu + exp(0.5 * q.logvar) * eps;      // (S, Z)
    const Variable log_ratio =
        sum(-0.5 * q.logvar - 0.5 * square(eps) + 0.5 * square(z), {1});  // (S,)
    const Variable log_px_z =
        -sum(nn::bce_with_logits_loss(model.decode_logits(z), broadcast_to(x, {S, 784}),
                                      nn::Reduction::none),
             {1});  // (S,)
    const double kl = nn::kl_normal_loss(q.mu, q.logvar, nn::Reduction::sum).item();
    c.kl_closed += kl / double(n);
    c.kl_sampled += mean(log_ratio).item() / double(n);
    c.elbo += (mean(log_px_z).item() - kl) / double(n);
    c.log_px += (logsumexp(log_px_z - log_ratio, {0}).item() - std::log(double(S))) / double(n);
  }
  model.train();
  return c;
}
// [/book:monte_carlo]

}  // namespace

int main(int argc, char** argv) {
  const ladder::ChapterOptions opt = ladder::parse_options(argc, argv, {}, kUsage);
  const std::int64_t train_n = opt.short_mode ? 1000 : 20000, test_n = opt.short_mode ? 200 : 2000;
  const int epochs = opt.short_mode ? 1 : 10;
  const std::int64_t checked = opt.short_mode ? 20 : 200, samples = opt.short_mode ? 100 : 1000;
  const ladder::Images data = ladder::load_images(opt, train_n, test_n, "ch11_vae");
  const Tensor& x = data.train.images;
  // NOTE: everything after training runs in float64: a float32 sum of the 392,000 terms of a
  // batch's cross-entropy is off in the fourth digit, of millions in the third.
  const Tensor test = data.test.images.to(DType::float64);
  std::printf("training images %lld, %d epochs, Adam 1e-3, batch 128; test images %lld\n",
              (long long)x.size(0), epochs, (long long)test.size(0));

  // [book:train]
  Generator gen(0);
  VAE model({784, 400, 20, 1.0}, gen, 1);  // D, H, Z, beta; the noise eps from a generator seeded 1
  const std::vector<double> history = ladder::train(model, ladder::own_loss(model), x, epochs, 1);
  // [/book:train]
  std::printf("-ELBO per training image by epoch:");
  for (double l : history) std::printf(" %.2f", l);
  std::printf("\n");
  model.to(DType::float64);

  {  // the test set, in evaluation mode but with the sampled code, as in training
    NoGradGuard no_grad;
    double recon = 0, kl = 0;
    for (std::int64_t b = 0; b < test.size(0); b += 500) {
      const Tensor part = test.rows(b, std::min(b + 500, test.size(0)));
      const Loss l = neg_elbo(model, Variable(part));
      recon += l.reconstruction * double(part.size(0)) / double(test.size(0));
      kl += l.kl * double(part.size(0)) / double(test.size(0));
    }
    std::printf("test: reconstruction (BCE) %.2f + KL %.2f = -ELBO %.2f per image\n", recon, kl,
                recon + kl);
    std::printf("result test_recon %.2f\nresult test_kl %.2f\nresult test_neg_elbo %.2f\n", recon,
                kl, recon + kl);
  }

  Generator mc_gen(5);
  const Check c = monte_carlo(model, test.rows(0, checked), samples, mc_gen);
  std::printf("\non %lld test images, %lld samples each:\n", (long long)checked,
              (long long)samples);
  std::printf("  KL, closed form          %.3f\n  KL, Monte Carlo          %.3f\n", c.kl_closed,
              c.kl_sampled);
  std::printf("  ELBO                     %.3f\n  log p(x), importance     %.3f\n", c.elbo,
              c.log_px);
  std::printf("  gap = KL(q(z|x) || p(z|x)) >= %.3f nats\n", c.log_px - c.elbo);
  std::printf("result kl_closed %.3f\nresult kl_sampled %.3f\n", c.kl_closed, c.kl_sampled);
  std::printf("result elbo %.3f\nresult log_px %.3f\nresult elbo_gap %.3f\n", c.elbo, c.log_px,
              c.log_px - c.elbo);

  // [book:generate]
  NoGradGuard no_grad;
  model.eval();
  Generator prior(9);
  const Tensor samples_png =
      sigmoid(model.decode_logits(Variable(randn({20, 20}, prior, DType::float64)))).data();
  data::save_image_grid(opt.out + "/ch11_samples.png", samples_png, 28, 28, 10, 2);
  // Straight lines between the posterior means of test images 0-1, 2-3, 4-5, 6-7, 10 steps each.
  std::vector<Tensor> lines;
  const Tensor t = linspace(0, 1, 10, DType::float64).reshape({10, 1});
  for (std::int64_t p = 0; p < 8; p += 2) {
    const Tensor mu = model.posterior(Variable(test.rows(p, p + 2))).mu.data();  // (2, Z)
    const Tensor codes = mu.rows(0, 1) * (1.0 - t) + mu.rows(1, 2) * t;          // (10, Z)
    lines.push_back(sigmoid(model.decode_logits(Variable(codes))).data());
  }
  data::save_image_grid(opt.out + "/ch11_interpolation.png", concatenate(lines, 0), 28, 28, 10, 2);
  // [/book:generate]
  std::printf("wrote ch11_samples.png and ch11_interpolation.png (in --out)\n");
  return 0;
}
