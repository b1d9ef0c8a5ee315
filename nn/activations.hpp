#pragma once
// Activation functions as layers (no parameters), plus the two that autograd/ops.hpp lacks.
// Each is composed from differentiable ops, so none needs a backward of its own.
#include <memory>
#include <string>

#include "nn/module.hpp"

namespace xtgrad::nn {

// x for x > 0, slope * x otherwise.
Variable leaky_relu(const Variable& x, double slope = 0.01);
// x for x > 0, alpha (e^x - 1) otherwise.
// NOTE: e^x is taken of min(x, 0): where() passes a zero gradient to the unused branch, but
// 0 * e^1000 would still be nan.
Variable elu(const Variable& x, double alpha = 1.0);

class Identity : public Module {
 public:
  Variable forward(const Variable& x) override { return x; }
  std::string describe() const override { return "Identity"; }
};

class ReLU : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "ReLU"; }
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double slope = 0.01) : slope(slope) {}
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  double slope;
};

class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  double alpha;
};

class Sigmoid : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "Sigmoid"; }
};

class Tanh : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "Tanh"; }
};

class Softplus : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "Softplus"; }
};

// Softmax and LogSoftmax over one axis (default: the last, i.e. over classes of (N, C)).
class Softmax : public Module {
 public:
  explicit Softmax(std::int64_t axis = -1) : axis(axis) {}
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "Softmax"; }
  std::int64_t axis;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(std::int64_t axis = -1) : axis(axis) {}
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "LogSoftmax"; }
  std::int64_t axis;
};

// The activations a model can be configured with, by name: configuration files say "relu".
enum class Activation { identity, relu, sigmoid, tanh, leaky_relu, elu };
// "identity" (or "linear"), "relu", "sigmoid" (or "logistic"), "tanh", "leaky_relu", "elu";
// ValueError naming the accepted names otherwise.
Activation parse_activation(const std::string& name);
std::string activation_name(Activation a);
// The layer: Identity, ReLU, Sigmoid, Tanh, LeakyReLU(0.01) or ELU(1).
std::shared_ptr<Module> make_activation(Activation a);

}  // namespace xtgrad::nn
