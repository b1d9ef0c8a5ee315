#include "autoencoders/sparse.hpp"

#include <sstream>

#include "nn/losses.hpp"
#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::ae {

SparseAutoencoder::SparseAutoencoder(const SparseConfig& config, Generator& gen) : config_(config) {
  if (!(config.rho > 0 && config.rho < 1) || config.lambda < 0 || config.beta < 0 || config.l1 < 0) {
    throw ValueError("SparseAutoencoder: need 0 < rho < 1 and lambda, beta, l1 >= 0");
  }
  encoder = register_module("encoder", std::make_shared<nn::Linear>(config.input, config.hidden, gen));
  decoder = register_module("decoder", std::make_shared<nn::Linear>(config.hidden, config.input, gen));
}

Variable SparseAutoencoder::encode(const Variable& x) { return sigmoid((*encoder)(x)); }   // (N, H)
Variable SparseAutoencoder::decode(const Variable& a) { return sigmoid((*decoder)(a)); }   // (N, D)

Variable SparseAutoencoder::loss_for(const Variable& input, const Variable& target) {
  const Variable a = encode(input);
  const Variable y = decode(a);
  const double n = static_cast<double>(input.shape()[0]);
  Variable j = 0.5 * nn::mse_loss(y, target, nn::Reduction::sum) / n;                     // 1/N sum 1/2 ||y - x||^2
  j = j + config_.lambda * nn::l2_penalty({encoder->weight, decoder->weight});            // lambda/2 sum W^2
  if (config_.penalty == SparsityPenalty::kl) {
    j = j + config_.beta * nn::kl_sparsity_loss(a, config_.rho, nn::Reduction::sum);      // beta sum_j KL
  } else {
    j = j + config_.l1 * nn::l1_activity_loss(a, nn::Reduction::sum) / n;                  // l1 mean_n |a_n|_1
  }
  return j;
}

std::string SparseAutoencoder::describe() const {
  std::ostringstream s;
  s << "SparseAutoencoder(" << config_.input << "-" << config_.hidden << ", "
    << (config_.penalty == SparsityPenalty::kl ? "KL rho " : "L1 ") << (config_.penalty == SparsityPenalty::kl ? config_.rho : config_.l1)
    << ")";
  return s.str();
}

std::vector<std::pair<std::string, double>> SparseAutoencoder::report(const Tensor& x) {
  return {{"mean_hidden_activation", mean(encode_all(*this, x)).item()}};
}

}  // namespace xtgrad::ae
