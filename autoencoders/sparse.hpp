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
#include "autoencoders/wrapped.hpp"

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

class SparseAutoencoder : public WrappedAutoencoder {
 public:
  SparseAutoencoder(std::shared_ptr<Autoencoder> inner, const CodePenalty& penalty);

  // The inner model's objective plus the weight decay and the penalty on its code.
  Objective objective(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  // The inner model's numbers and mean_hidden_activation: the mean of rho_hat over the units
  // (the target is rho).
  std::vector<std::pair<std::string, double>> report(const Tensor& x) override;

  CodePenalty penalty;
};

// ValueError, starting with `where`, unless 0 < rho < 1 (for kl) and the weights are finite
// numbers >= 0: the one check of a penalty, used by SparseAutoencoder and the sparse kind.
void check_code_penalty(const CodePenalty& penalty, const std::string& where);

}  // namespace xtgrad::ae
