#include "nn/activations.hpp"

#include <sstream>

#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::nn {

Variable leaky_relu(const Variable& x, double slope) { return where(x.data() > 0.0, x, x * slope); }

Variable elu(const Variable& x, double alpha) {
  const Tensor positive = x.data() > 0.0;
  const Variable negative_part = where(positive, Variable(zeros({}, x.dtype())), x);  // min(x, 0)
  return where(positive, x, alpha * (exp(negative_part) - 1.0));
}

Variable ReLU::forward(const Variable& x) { return relu(x); }
Variable LeakyReLU::forward(const Variable& x) { return leaky_relu(x, slope); }
Variable ELU::forward(const Variable& x) { return elu(x, alpha); }
Variable Sigmoid::forward(const Variable& x) { return sigmoid(x); }
Variable Tanh::forward(const Variable& x) { return tanh(x); }
Variable Softplus::forward(const Variable& x) { return softplus(x); }
Variable Softmax::forward(const Variable& x) { return softmax(x, axis); }
Variable LogSoftmax::forward(const Variable& x) { return log_softmax(x, axis); }

Activation parse_activation(const std::string& name) {
  if (name == "identity" || name == "linear") return Activation::identity;
  if (name == "relu") return Activation::relu;
  if (name == "sigmoid" || name == "logistic") return Activation::sigmoid;
  if (name == "tanh") return Activation::tanh;
  if (name == "leaky_relu") return Activation::leaky_relu;
  if (name == "elu") return Activation::elu;
  throw ValueError("activation: unknown name " + quote(name) +
                   " (identity, relu, sigmoid, tanh, leaky_relu, elu)");
}

std::string activation_name(Activation a) {
  switch (a) {
    case Activation::identity:
      return "identity";
    case Activation::relu:
      return "relu";
    case Activation::sigmoid:
      return "sigmoid";
    case Activation::tanh:
      return "tanh";
    case Activation::leaky_relu:
      return "leaky_relu";
    case Activation::elu:
      return "elu";
  }
  return "identity";
}

std::shared_ptr<Module> make_activation(Activation a) {
  switch (a) {
    case Activation::identity:
      return std::make_shared<Identity>();
    case Activation::relu:
      return std::make_shared<ReLU>();
    case Activation::sigmoid:
      return std::make_shared<Sigmoid>();
    case Activation::tanh:
      return std::make_shared<Tanh>();
    case Activation::leaky_relu:
      return std::make_shared<LeakyReLU>();
    case Activation::elu:
      return std::make_shared<ELU>();
  }
  return std::make_shared<Identity>();
}

std::string LeakyReLU::describe() const {
  std::ostringstream s;
  s << "LeakyReLU(" << slope << ")";
  return s.str();
}

std::string ELU::describe() const {
  std::ostringstream s;
  s << "ELU(" << alpha << ")";
  return s.str();
}

}  // namespace xtgrad::nn
