#pragma once
// A model plus a penalty on its code: the step of the ladder that keeps an autoencoder from
// copying by making most code units near 0 for any one input.
//
//   J = inner loss + lambda/2 sum_layers ||W||^2 + penalty(code)
//
//   kl   beta sum_j KL(rho || rho_hat_j),  rho_hat_j = mean_n a_nj   (UFLDL; needs a code in (0, 1))
//   l1   l1 mean_n ||a_n||_1                                           (an activity penalty)
//   l2   l2 mean_n ||a_n||^2: not sparsity (it shrinks every unit alike); the source
//        documents' "latent loss", offered by the basic model as code_l2
//
// The sparse kind is Stanford's UFLDL sparse autoencoder (Ng, "Sparse autoencoder", CS294A
// notes) on this wrapper: one sigmoid hidden layer with a sigmoid output and J's squared error
// halved, rho = 0.1, lambda = 3e-3, beta = 3, trained with L-BFGS on full batches from Init::ufldl
// (W uniform in +-sqrt(6)/sqrt(H + D + 1), zero biases). UFLDL uses 196 hidden units for MNIST.
#include "autoencoders/autoencoder.hpp"
#include "autoencoders/model_kinds.hpp"

namespace xtgrad::ae {

enum class SparsityPenalty { kl, l1, l2 };
SparsityPenalty parse_penalty(const std::string& name);  // "kl", "l1", "l2"
std::string penalty_name(SparsityPenalty penalty);

struct CodePenalty {
  SparsityPenalty kind = SparsityPenalty::kl;
  double weight = 3.0;        // beta for kl, l1 or l2 for the others
  double rho = 0.1;           // kl: the target mean activation
  double weight_decay = 0.0;  // lambda, on every weight matrix of the inner model
};

class SparseAutoencoder : public Autoencoder {
 public:
  SparseAutoencoder(std::shared_ptr<Autoencoder> inner, const CodePenalty& penalty);

  Variable encode(const Variable& x) override { return inner->encode(x); }
  Variable decode(const Variable& z) override { return inner->decode(z); }
  // The inner model's objective plus the weight decay and the penalty on its code.
  Objective objective(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  std::int64_t input_size() const override { return inner->input_size(); }
  std::int64_t code_size() const override { return inner->code_size(); }
  bool logistic_output() const override { return inner->logistic_output(); }
  Tensor first_layer_filters() const override { return inner->first_layer_filters(); }
  // The inner model's numbers and mean_hidden_activation: the mean of rho_hat over the units
  // (the target is rho).
  std::vector<std::pair<std::string, double>> report(const Tensor& x) override;
  void pretrain(const Tensor& images, const PretrainOptions& options) override { inner->pretrain(images, options); }
  Tensor sample(std::int64_t count, Generator& gen) override { return inner->sample(count, gen); }
  std::vector<std::string> draw_pictures(const Tensor& test_images, const std::string& dir,
                                         std::uint64_t seed) override {
    return inner->draw_pictures(test_images, dir, seed);
  }

  std::shared_ptr<Autoencoder> inner;
  CodePenalty penalty;
};

// The sparse section of a configuration (UFLDL's settings by default).
struct SparseConfig {
  std::int64_t hidden = 196;
  double rho = 0.1;
  double lambda = 3e-3;
  double beta = 3.0;
  SparsityPenalty penalty = SparsityPenalty::kl;
  double l1 = 1e-3;  // weight of the L1 activity penalty (penalty "l1")
};

// The "sparse" entry of the table (model_kinds.cpp).
ModelKind sparse_kind();

}  // namespace xtgrad::ae
