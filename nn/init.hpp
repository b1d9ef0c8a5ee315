#pragma once
// Weight initialisers. Each fills a parameter's values in place from a seeded generator;
// nothing is recorded (they write the data, not through differentiable ops).
//
// Fans: for a Linear weight (out, in), fan_in = in and fan_out = out (PyTorch's convention).
#include <string>

#include "autograd/variable.hpp"
#include "tensor/random.hpp"

namespace xtgrad::nn::init {

enum class FanMode { fan_in, fan_out };

struct Fans {
  std::int64_t fan_in, fan_out;
};
// (out, in) -> {in, out}; a 1-d shape counts as {n, n}.
Fans fans(const Shape& shape);

// The recommended gain for a nonlinearity ("linear", "sigmoid", "tanh" 5/3, "relu" sqrt 2,
// "leaky_relu" sqrt(2 / (1 + slope^2)), "selu" 3/4), as in PyTorch.
double calculate_gain(const std::string& nonlinearity, double slope = 0.01);

void zeros_(Variable p);
void constant_(Variable p, double value);
void uniform_(Variable p, double low, double high, Generator& gen);
void normal_(Variable p, double mean, double std, Generator& gen);
// Glorot & Bengio (2010): U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)).
void xavier_uniform_(Variable p, Generator& gen, double gain = 1.0);
// N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out)).
void xavier_normal_(Variable p, Generator& gen, double gain = 1.0);
// He et al. (2015): std = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a);
// uniform bound sqrt(3) std.
void kaiming_uniform_(Variable p, Generator& gen, double a = 0.0, FanMode mode = FanMode::fan_in,
                      const std::string& nonlinearity = "leaky_relu");
void kaiming_normal_(Variable p, Generator& gen, double a = 0.0, FanMode mode = FanMode::fan_in,
                     const std::string& nonlinearity = "leaky_relu");
// LeCun (1998): std = 1 / sqrt(fan_in); uniform bound sqrt(3 / fan_in).
void lecun_uniform_(Variable p, Generator& gen);
void lecun_normal_(Variable p, Generator& gen);
// UFLDL's sparse autoencoder: U(-r, r), r = sqrt(6) / sqrt(fan_in + fan_out + 1).
void ufldl_uniform_(Variable p, Generator& gen);

}  // namespace xtgrad::nn::init
