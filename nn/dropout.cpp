#include "nn/dropout.hpp"

#include <sstream>

#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::nn {

Dropout::Dropout(double p_, std::uint64_t seed) : p(p_), gen_(seed) {
  if (!(p >= 0.0 && p < 1.0)) {
    throw ValueError("Dropout: p must be in [0, 1), got " + std::to_string(p));
  }
  register_generator(&gen_);
}

Variable Dropout::forward(const Variable& x) {
  if (!is_training() || p == 0.0) {
    return x;
  }
  // mask / (1 - p): a constant, so the gradient is masked and scaled the same way.
  const Tensor keep = bernoulli(x.shape(), 1.0 - p, gen_, x.dtype()) * (1.0 / (1.0 - p));
  return x * Variable(keep);
}

std::string Dropout::describe() const {
  std::ostringstream s;
  s << "Dropout(" << p << ")";
  return s.str();
}

}  // namespace xtgrad::nn
