#pragma once
// TiedAutoencoder: a one-hidden-layer autoencoder whose decoder reuses the encoder's weight
// matrix, transposed ("tied weights", as in Vincent et al. 2008, "Extracting and composing
// robust features with denoising autoencoders").
//
//   Shapes: N batch, D input, H hidden.
//   h     = sigmoid(x W^T + b)      x (N, D), W (H, D), b (H,)   -> h (N, H)      encoder
//   x_hat = sigmoid(h W + c)        c (D,)                       -> x_hat (N, D)  decoder
//
// It has H D + H + D parameters instead of the 2 H D + H + D of an untied one. W is used
// twice, so its gradient is the sum of two contributions, one through each use: the engine
// adds them (chapter 2), and check_layer verifies the sum against finite differences.
#include <cstdint>
#include <string>

#include <nn/module.hpp>

namespace book {

class TiedAutoencoder : public xtgrad::nn::Module {
 public:
  // W uniform in [-a, a] with a = 4 sqrt(6 / (D + H)) (Glorot & Bengio's bound for sigmoid
  // units); b and c start at 0.
  TiedAutoencoder(std::int64_t input, std::int64_t hidden, xtgrad::Generator& gen);

  xtgrad::Variable forward(const xtgrad::Variable& x) override;  // (N, D) -> (N, D)
  xtgrad::Variable encode(const xtgrad::Variable& x);            // (N, D) -> (N, H)
  std::string describe() const override;

  xtgrad::Variable weight;        // W (H, D)
  xtgrad::Variable encoder_bias;  // b (H,)
  xtgrad::Variable decoder_bias;  // c (D,)
};

}  // namespace book
