#include "nn/activations.hpp"

#include <sstream>

#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::nn {

Variable leaky_relu(const Variable& x, double slope) {
  return where(x.data() > 0.0, x, x * slope);
}

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
