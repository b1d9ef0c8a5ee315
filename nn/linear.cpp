#include "nn/linear.hpp"

#include <cmath>

#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::nn {

Linear::Linear(std::int64_t in, std::int64_t out, Generator& gen, bool with_bias, DType dtype)
    : in_features(in), out_features(out) {
  if (in <= 0 || out <= 0) {
    throw ValueError("Linear: sizes must be positive, got " + std::to_string(in) + " -> " +
                     std::to_string(out));
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = register_parameter("weight", uniform({out, in}, -bound, bound, gen, dtype));
  if (with_bias) {
    bias = register_parameter("bias", uniform({out}, -bound, bound, gen, dtype));
  }
}

Variable Linear::forward(const Variable& x) {
  if (x.dim() != 2 || x.shape()[1] != in_features) {
    throw ShapeError("Linear(" + std::to_string(in_features) + " -> " +
                     std::to_string(out_features) + "): expected input (N, " +
                     std::to_string(in_features) + "), got " + shape_str(x.shape()));
  }
  return linear(x, weight, bias);  // (N, in) @ (out, in)^T + (out,): one fused node
}

std::string Linear::describe() const {
  return "Linear(" + std::to_string(in_features) + " -> " + std::to_string(out_features) + ")";
}

TiedLinear::TiedLinear(std::shared_ptr<Linear> tied) : tied_to(std::move(tied)) {
  if (!tied_to) throw ValueError("TiedLinear: needs the Linear whose weight it uses, got none");
  bias = register_parameter("bias", zeros({tied_to->in_features}, tied_to->weight.dtype()));
}

// [book:tied-linear]
// The Linear maps in -> out; this layer maps (N, out) -> (N, in).
Variable TiedLinear::forward(const Variable& x) {
  if (x.dim() != 2 || x.shape()[1] != tied_to->out_features) {
    throw ShapeError(describe() + ": expected input (N, " + std::to_string(tied_to->out_features) +
                     "), got " + shape_str(x.shape()));
  }
  return matmul(x, tied_to->weight) + bias;  // (N, out) @ (out, in) + (in,)
}
// [/book:tied-linear]

std::string TiedLinear::describe() const {
  return "TiedLinear(" + std::to_string(tied_to->out_features) + " -> " +
         std::to_string(tied_to->in_features) + ")";
}

}  // namespace xtgrad::nn
