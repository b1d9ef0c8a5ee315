#include "tied_autoencoder.hpp"

#include <cmath>

#include <autograd/all.hpp>

namespace book {

using namespace xtgrad;

// [book:constructor]
TiedAutoencoder::TiedAutoencoder(std::int64_t input, std::int64_t hidden, Generator& gen) {
  if (input <= 0 || hidden <= 0) {
    throw ValueError("TiedAutoencoder: sizes must be positive, got " + std::to_string(input) +
                     " and " + std::to_string(hidden));
  }
  const double a = 4.0 * std::sqrt(6.0 / static_cast<double>(input + hidden));
  weight = register_parameter("weight", uniform({hidden, input}, -a, a, gen));
  encoder_bias = register_parameter("encoder_bias", zeros({hidden}));
  decoder_bias = register_parameter("decoder_bias", zeros({input}));
}
// [/book:constructor]

// [book:forward]
Variable TiedAutoencoder::encode(const Variable& x) {
  if (x.dim() != 2 || x.shape()[1] != weight.shape()[1]) {
    throw ShapeError(describe() + ": expected input (N, " + std::to_string(weight.shape()[1]) +
                     "), got " + shape_str(x.shape()));
  }
  return sigmoid(matmul(x, weight, false, /*transpose_b=*/true) + encoder_bias);  // (N, H)
}

Variable TiedAutoencoder::forward(const Variable& x) {
  return sigmoid(matmul(encode(x), weight) + decoder_bias);  // (N, H) @ (H, D) -> (N, D)
}
// [/book:forward]

std::string TiedAutoencoder::describe() const {
  return "TiedAutoencoder(" + std::to_string(weight.shape()[1]) + " -> " +
         std::to_string(weight.shape()[0]) + " -> " + std::to_string(weight.shape()[1]) + ")";
}

}  // namespace book
