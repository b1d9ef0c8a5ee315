#pragma once
// The sparse autoencoder of Stanford's UFLDL tutorial (Ng, "Sparse autoencoder", CS294A notes):
// one sigmoid hidden layer, most of whose units should be near 0 for any given input.
//
//   a = sigmoid(x W1^T + b1)              (N, H)   hidden activations
//   y = sigmoid(a W2^T + b2)              (N, D)
//   rho_hat_j = mean_n a_nj               (H,)     mean activation of unit j
//   J = 1/N sum_n 1/2 ||y_n - x_n||^2 + lambda/2 (||W1||^2 + ||W2||^2)
//       + beta sum_j KL(rho || rho_hat_j)
//
// UFLDL trains it with L-BFGS on full batches (rho = 0.1, lambda = 3e-3, beta = 3 for 8x8 patches;
// 196 hidden units for MNIST digits) and initialises W uniformly in +-sqrt(6)/sqrt(H + D + 1)
// with zero biases: Init::ufldl, which default_config("sparse") and ufldl-sparse.json choose.
// The L1 variant replaces the KL term by l1 * mean_n ||a_n||_1 (an activity penalty).
#include "autoencoders/autoencoder.hpp"
#include "nn/linear.hpp"

namespace xtgrad::ae {

enum class SparsityPenalty { kl, l1 };

struct SparseConfig {
  std::int64_t input = 784;
  std::int64_t hidden = 196;
  double rho = 0.1;
  double lambda = 3e-3;
  double beta = 3.0;
  SparsityPenalty penalty = SparsityPenalty::kl;
  double l1 = 1e-3;  // weight of the L1 activity penalty (L1 variant)
};

class SparseAutoencoder : public Autoencoder {
 public:
  SparseAutoencoder(const SparseConfig& config, Generator& gen);

  Variable encode(const Variable& x) override;  // the hidden activations a
  Variable decode(const Variable& a) override;
  Variable loss_for(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  std::int64_t input_size() const override { return config_.input; }
  std::int64_t code_size() const override { return config_.hidden; }
  bool logistic_output() const override { return true; }
  Tensor first_layer_filters() const override { return encoder->weight.data(); }
  // mean_hidden_activation: the mean of rho_hat over the units (the target is rho).
  std::vector<std::pair<std::string, double>> report(const Tensor& x) override;

  std::shared_ptr<nn::Linear> encoder, decoder;

 private:
  SparseConfig config_;
};

}  // namespace xtgrad::ae
