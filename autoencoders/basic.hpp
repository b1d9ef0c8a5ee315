#pragma once
// The basic autoencoder of the source documents: one hidden layer that is the code.
//
//   z = act(x W1^T + b1)        x (N, D), W1 (Z, D)  ->  z (N, Z)
//   y = out(z W2^T + b2)        W2 (D, Z)            ->  y (N, D)
//
// Options: tied weights (W2 = W1^T, as in many early papers: half the parameters), and an L2
// penalty on the code, lambda * mean_n ||z_n||^2, which the documents call the "latent loss".
// Keras's tutorial model is D = 784, Z = 32, ReLU code, sigmoid output, BCE.
#include "autoencoders/autoencoder.hpp"
#include "nn/linear.hpp"

namespace xtgrad::ae {

struct BasicConfig {
  std::int64_t input = 784;
  std::int64_t code = 32;
  Activation hidden = Activation::relu;
  Activation output = Activation::sigmoid;
  ReconstructionLoss loss = ReconstructionLoss::bce;
  bool tied = false;
  double code_l2 = 0.0;
};

class BasicAutoencoder : public Autoencoder {
 public:
  BasicAutoencoder(const BasicConfig& config, Generator& gen);

  Variable encode(const Variable& x) override;
  Variable decode(const Variable& z) override;
  Variable loss_for(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  std::int64_t input_size() const override { return config_.input; }
  std::int64_t code_size() const override { return config_.code; }
  bool logistic_output() const override { return config_.output == Activation::sigmoid; }
  Tensor first_layer_filters() const override { return encoder->weight.data(); }

  std::shared_ptr<nn::Linear> encoder;
  std::shared_ptr<nn::Linear> decoder;  // null when tied
  Variable decoder_bias;                // the tied decoder's own bias

 private:
  Variable decode_pre(const Variable& z);  // before the output activation
  BasicConfig config_;
};

}  // namespace xtgrad::ae
