#include "nn/init.hpp"

#include <cmath>

#include "tensor/all.hpp"

namespace xtgrad::nn::init {

namespace {

void fill(Variable& p, const Tensor& values) {
  Tensor data = p.data();
  data.copy_(values.to(data.dtype()));
}

std::int64_t fan(const Shape& shape, FanMode mode) {
  const Fans f = fans(shape);
  return mode == FanMode::fan_in ? f.fan_in : f.fan_out;
}

}  // namespace

Fans fans(const Shape& shape) {
  if (shape.empty()) {
    throw ShapeError("init: a 0-d parameter has no fan-in or fan-out");
  }
  if (shape.size() == 1) {
    return {shape[0], shape[0]};
  }
  // (out, in, k...) : the receptive field k... multiplies both fans (convolutions).
  std::int64_t field = 1;
  for (std::size_t i = 2; i < shape.size(); ++i) field *= shape[i];
  return {shape[1] * field, shape[0] * field};
}

double calculate_gain(const std::string& nonlinearity, double slope) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid") return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + slope * slope));
  if (nonlinearity == "selu") return 0.75;
  throw ValueError("calculate_gain: unknown nonlinearity \"" + nonlinearity +
                   "\" (linear, sigmoid, tanh, relu, leaky_relu, selu)");
}

void zeros_(Variable p) { constant_(p, 0.0); }

void constant_(Variable p, double value) {
  Tensor data = p.data();
  data.fill_(value);
}

void uniform_(Variable p, double low, double high, Generator& gen) {
  fill(p, uniform(p.shape(), low, high, gen, p.dtype()));
}

void normal_(Variable p, double mean, double std, Generator& gen) {
  fill(p, normal(p.shape(), mean, std, gen, p.dtype()));
}

void xavier_uniform_(Variable p, Generator& gen, double gain) {
  const Fans f = fans(p.shape());
  const double a = gain * std::sqrt(6.0 / static_cast<double>(f.fan_in + f.fan_out));
  uniform_(p, -a, a, gen);
}

void xavier_normal_(Variable p, Generator& gen, double gain) {
  const Fans f = fans(p.shape());
  normal_(p, 0.0, gain * std::sqrt(2.0 / static_cast<double>(f.fan_in + f.fan_out)), gen);
}

void kaiming_uniform_(Variable p, Generator& gen, double a, FanMode mode,
                      const std::string& nonlinearity) {
  const double std =
      calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan(p.shape(), mode)));
  const double bound = std::sqrt(3.0) * std;
  uniform_(p, -bound, bound, gen);
}

void kaiming_normal_(Variable p, Generator& gen, double a, FanMode mode,
                     const std::string& nonlinearity) {
  const double std =
      calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan(p.shape(), mode)));
  normal_(p, 0.0, std, gen);
}

void lecun_uniform_(Variable p, Generator& gen) {
  const double bound = std::sqrt(3.0 / static_cast<double>(fans(p.shape()).fan_in));
  uniform_(p, -bound, bound, gen);
}

void lecun_normal_(Variable p, Generator& gen) {
  normal_(p, 0.0, 1.0 / std::sqrt(static_cast<double>(fans(p.shape()).fan_in)), gen);
}

void ufldl_uniform_(Variable p, Generator& gen) {
  const Fans f = fans(p.shape());
  const double r = std::sqrt(6.0) / std::sqrt(static_cast<double>(f.fan_in + f.fan_out + 1));
  uniform_(p, -r, r, gen);
}

}  // namespace xtgrad::nn::init
