#include "autoencoders/basic.hpp"

#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::ae {

BasicAutoencoder::BasicAutoencoder(const BasicConfig& config, Generator& gen) : config_(config) {
  if (config.code <= 0 || config.input <= 0) {
    throw ValueError("BasicAutoencoder: sizes must be positive, got " + std::to_string(config.input) +
                     "-" + std::to_string(config.code));
  }
  encoder = register_module("encoder", std::make_shared<nn::Linear>(config.input, config.code, gen));
  if (config.tied) {
    decoder_bias = register_parameter("decoder_bias", zeros({config.input}));
  } else {
    decoder = register_module("decoder", std::make_shared<nn::Linear>(config.code, config.input, gen));
  }
  if (config.loss == ReconstructionLoss::bce && config.output != Activation::sigmoid) {
    throw ValueError("BasicAutoencoder: the BCE loss needs a sigmoid output");
  }
}

Variable BasicAutoencoder::encode(const Variable& x) {
  return activate((*encoder)(x), config_.hidden);  // (N, Z)
}

Variable BasicAutoencoder::decode_pre(const Variable& z) {
  if (config_.tied) {
    return matmul(z, encoder->weight) + decoder_bias;  // (N, Z) @ (Z, D): W2 = W1^T
  }
  return (*decoder)(z);  // (N, D)
}

Variable BasicAutoencoder::decode(const Variable& z) { return activate(decode_pre(z), config_.output); }

Variable BasicAutoencoder::loss_for(const Variable& input, const Variable& target) {
  const Variable z = encode(input);
  Variable loss = reconstruction_loss(decode_pre(z), target, config_.output, config_.loss);
  if (config_.code_l2 > 0) {
    loss = loss + config_.code_l2 * sum(square(z)) / static_cast<double>(z.shape()[0]);
  }
  return loss;
}

std::string BasicAutoencoder::describe() const {
  return "BasicAutoencoder(" + std::to_string(config_.input) + "-" + std::to_string(config_.code) +
         (config_.tied ? ", tied" : "") + ")";
}

}  // namespace xtgrad::ae
