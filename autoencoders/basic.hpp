#pragma once
// The basic autoencoder of the source documents: one hidden layer that is the code. It is the
// one-layer case of the deep autoencoder (deep.hpp), with its own section in configurations:
//
//   z = hidden(x W1^T + b1)     x (N, D), W1 (Z, D)  ->  z (N, Z)
//   y = output(z W2^T + b2)     W2 (D, Z)            ->  y (N, D)
//
// Options: tied weights (W2 = W1^T, as in many early papers: half the parameters), and an L2
// penalty on the code, code_l2 * mean_n ||z_n||^2, which the documents call the "latent loss"
// (then the model is wrapped in sparse.hpp's penalty on the code).
// Keras's tutorial model is D = 784, Z = 32, ReLU code, sigmoid output, BCE.
#include "autoencoders/deep.hpp"
#include "autoencoders/model_kinds.hpp"

namespace xtgrad::ae {

struct BasicConfig {
  std::int64_t code = 32;
  nn::Activation hidden = nn::Activation::relu;  // the code layer's activation
  nn::Activation output = nn::Activation::sigmoid;
  ReconstructionLoss loss = ReconstructionLoss::bce;
  bool tied = false;
  double code_l2 = 0.0;
};

// The deep model with the single layer `input` -> basic.code that `basic` describes.
DeepConfig one_layer(std::int64_t input, const BasicConfig& basic);

// The "basic" entry of the table (model_kinds.cpp).
ModelKind basic_kind();

}  // namespace xtgrad::ae
