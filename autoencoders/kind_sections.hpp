#pragma once
// The configuration sections of the built-in kinds that are not a model's own options. A kind
// whose model takes an options struct uses it as its section (deep: DeepConfig in deep.hpp,
// vae: VAEConfig in variational.hpp); these three translate theirs into a model:
//
//   basic      BasicConfig      -> a one-layer DeepConfig (one_layer), wrapped in an L2 penalty
//                                  on the code when code_l2 > 0
//   sparse     SparseConfig     -> UFLDL's one layer in a SparseAutoencoder with a CodePenalty
//   denoising  DenoisingConfig  -> the kind named `inner`, in a DenoisingAutoencoder
//
// A kind's section is read as options.get<ItsConfig>() (config.hpp); a kind added later keeps
// its section struct in its own file (kinds/*.cpp), as none of these needs to be seen elsewhere
// but by the tests.
#include <cstdint>
#include <string>

#include "autoencoders/deep.hpp"
#include "autoencoders/denoising.hpp"
#include "autoencoders/sparse.hpp"

namespace xtgrad::ae {

// The basic autoencoder of the source documents: one hidden layer that is the code, the
// one-layer case of the deep autoencoder:
//
//   z = hidden(x W1^T + b1)     x (N, D), W1 (Z, D)  ->  z (N, Z)
//   y = output(z W2^T + b2)     W2 (D, Z)            ->  y (N, D)
//
// Options: tied weights (W2 = W1^T, as in many early papers: half the parameters), and an L2
// penalty on the code, code_l2 * mean_n ||z_n||^2, which the documents call the "latent loss"
// (then the model is wrapped in sparse.hpp's penalty on the code).
// Keras's tutorial model is D = 784, Z = 32, ReLU code, sigmoid output, BCE.
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

// The sparse section (UFLDL's settings by default): one layer of `hidden` sigmoid units.
struct SparseConfig {
  std::int64_t hidden = 196;
  double rho = 0.1;
  double lambda = 3e-3;
  double beta = 3.0;
  SparsityPenalty penalty = SparsityPenalty::kl;
  double l1 = 1e-3;  // weight of the L1 activity penalty (penalty "l1")
};

// The denoising section: the kind of the model it wraps (any kind but denoising, whose own
// section gives its options) and the corruption.
struct DenoisingConfig {
  std::string inner = "deep";
  NoiseConfig noise;
};

}  // namespace xtgrad::ae
