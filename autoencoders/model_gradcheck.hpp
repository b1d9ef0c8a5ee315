#pragma once
// Gradient checks of whole models: a tiny float64 instance of each autoencoder, its loss
// checked against finite differences for every parameter (xtgrad gradcheck --model NAME).
//
// Where to check matters. At the very first step, a tiny ReLU model can have a code that is 0
// for every input: then the encoder's and the decoder's weight gradients are exactly 0, and
// gradcheck compares 0 with 0 and passes without checking anything. So the check runs after a
// few training steps (CS231n's advice: gradient-check after a short burn-in, not at
// initialisation), and refuses a point where some parameter's gradient is identically zero.
// NOTE: gradcheck also fails at a ReLU kink (a pre-activation exactly 0, e.g. a zero bias fed
// by a dead layer: the finite difference sees half a slope). The tiny models keep their
// model's default initialisation, whose biases are not zero.
#include <cstdint>
#include <string>

#include "autoencoders/autoencoder.hpp"
#include "autograd/gradcheck.hpp"

namespace xtgrad::ae {

// Throws ValueError naming the first parameter (dotted name) whose gradient of
// model.loss(batch) is identically zero. The model's generators are left as they were.
void require_nonzero_gradients(Autoencoder& model, const nn::Batch& batch);

struct ModelGradcheck {
  std::string description;  // the tiny model's describe()
  std::int64_t parameter_count = 0;
  GradcheckReport report;
};

// A tiny instance of `model` (basic, deep, denoising, sparse or vae: 6 inputs, a code of 3),
// in float64 with its noise replayed, trained for `burn_in_steps` Adam steps (lr 1e-3) on a
// random batch of 16 images drawn from `seed`, then gradient-checked there. ValueError from
// require_nonzero_gradients when the point would prove nothing.
ModelGradcheck gradcheck_tiny_model(const std::string& model, int burn_in_steps = 20,
                                    std::uint64_t seed = 0);

}  // namespace xtgrad::ae
