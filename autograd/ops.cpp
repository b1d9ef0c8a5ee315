// Differentiable operations: the primitives applied, and everything else composed from them.
// No function below the "composites" line has a backward of its own.
#include "autograd/ops.hpp"

#include "autograd/primitives.hpp"

namespace xtgrad {

namespace p = primitives;

namespace {

// A scalar as a 0-d constant in x's dtype.
Variable constant(double value, const Variable& like) {
  return Variable(full({}, value, like.dtype()));
}

}  // namespace

// --- primitives ---------------------------------------------------------------------------------
Variable add(const Variable& a, const Variable& b) { return apply(p::Add{}, a, b); }
Variable sub(const Variable& a, const Variable& b) { return apply(p::Sub{}, a, b); }
Variable mul(const Variable& a, const Variable& b) { return apply(p::Mul{}, a, b); }
Variable div(const Variable& a, const Variable& b) { return apply(p::Div{}, a, b); }
Variable pow(const Variable& x, double exponent) { return apply(p::PowScalar{exponent}, x); }
Variable exp(const Variable& x) { return apply(p::Exp{}, x); }
Variable log(const Variable& x) { return apply(p::Log{}, x); }
Variable log1p(const Variable& x) { return apply(p::Log1p{}, x); }
Variable sigmoid(const Variable& x) { return apply(p::Sigmoid{}, x); }
Variable relu(const Variable& x) { return apply(p::Relu{}, x); }

Variable where(const Tensor& condition, const Variable& a, const Variable& b) {
  return apply(p::Where{condition, {}, {}}, a, b);
}

Variable sum(const Variable& x, const Axes& axes, bool keepdim) {
  return apply(p::Sum{axes, keepdim, {}}, x);
}

Variable broadcast_to(const Variable& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  return apply(p::BroadcastTo{shape, {}}, x);
}

Variable reshape(const Variable& x, const Shape& shape) { return apply(p::Reshape{shape, {}}, x); }

Variable permute(const Variable& x, const Axes& axes) { return apply(p::Permute{axes}, x); }

Variable matmul(const Variable& a, const Variable& b, bool transpose_a, bool transpose_b) {
  return apply(p::MatMul{transpose_a, transpose_b}, a, b);
}

Variable binary_cross_entropy(const Variable& prob, const Variable& target) {
  return apply(p::BinaryCrossEntropy{}, prob, target);
}

// Fused primitives: where one does not apply (broadcast operands), its composite reference does.
Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  if (!bias.defined()) return matmul(x, weight, false, /*transpose_b=*/true);
  if (x.dim() != 2 || bias.dim() != 1) return reference::linear(x, weight, bias);
  return apply(p::Linear{}, x, weight, bias);
}

Variable binary_cross_entropy_with_logits(const Variable& z, const Variable& target) {
  if (z.shape() != target.shape()) return reference::binary_cross_entropy_with_logits(z, target);
  return apply(p::BinaryCrossEntropyWithLogits{/*summed=*/false}, z, target);
}

Variable binary_cross_entropy_with_logits_sum(const Variable& z, const Variable& target) {
  if (z.shape() != target.shape())
    return sum(reference::binary_cross_entropy_with_logits(z, target));
  return apply(p::BinaryCrossEntropyWithLogits{/*summed=*/true}, z, target);
}

Variable operator>(const Variable& a, const Variable& b) { return apply(p::Greater{}, a, b); }
Variable operator<(const Variable& a, const Variable& b) { return apply(p::Greater{}, b, a); }
Variable operator>(const Variable& a, double b) { return a > constant(b, a); }
Variable operator<(const Variable& a, double b) { return a < constant(b, a); }

Variable argmax(const Variable& x, std::int64_t axis, bool keepdim) {
  return apply(p::ArgMax{axis, keepdim}, x);
}

// --- composites ----------------------------------------------------------------------------------

Variable neg(const Variable& x) { return x * -1.0; }

Variable operator+(const Variable& a, const Variable& b) { return add(a, b); }
Variable operator-(const Variable& a, const Variable& b) { return sub(a, b); }
Variable operator*(const Variable& a, const Variable& b) { return mul(a, b); }
Variable operator/(const Variable& a, const Variable& b) { return div(a, b); }
Variable operator-(const Variable& x) { return neg(x); }
Variable operator+(const Variable& a, double b) { return apply(p::AddScalar{b}, a); }
Variable operator-(const Variable& a, double b) { return apply(p::AddScalar{-b}, a); }
Variable operator*(const Variable& a, double b) { return apply(p::MulScalar{b}, a); }
Variable operator/(const Variable& a, double b) { return apply(p::MulScalar{1.0 / b}, a); }
Variable operator+(double a, const Variable& b) { return apply(p::AddScalar{a}, b); }
Variable operator-(double a, const Variable& b) { return constant(a, b) - b; }
Variable operator*(double a, const Variable& b) { return apply(p::MulScalar{a}, b); }
Variable operator/(double a, const Variable& b) { return constant(a, b) / b; }

Variable sqrt(const Variable& x) { return pow(x, 0.5); }
Variable square(const Variable& x) { return x * x; }

// tanh(x) = 2 sigmoid(2x) - 1
// NOTE: near 0 this subtracts two numbers close to 1, so its absolute error is about one unit
// in the last place of 1 (6e-8 in float32): tanh(1e-8) comes out as 0 in float32, where the
// Tensor tanh gives 1e-8. Fine for training; use float64 where tiny values matter.
Variable tanh(const Variable& x) { return 2.0 * sigmoid(2.0 * x) - 1.0; }

// |x| = x sign(x), with sign(x) a constant: the gradient is sign(x), 0 at 0.
Variable abs(const Variable& x) { return x * Variable(sign(x.data())); }

// log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): e^-|x| <= 1 never overflows.
// NOTE: -|x| is written as where(x > 0, -x, x), not -abs(x): at x = 0 both relu and abs
// have gradient 0, which would lose the true derivative sigmoid(0) = 1/2.
Variable softplus(const Variable& x) { return relu(x) + log1p(exp(where(x.data() > 0.0, -x, x))); }

Variable clamp(const Variable& x, double low, double high) {
  if (!(low <= high)) {
    throw ValueError("clamp: low must not exceed high, got [" + std::to_string(low) + ", " +
                     std::to_string(high) + "]");
  }
  const Variable inside_high = where(x.data() > high, constant(high, x), x);
  return where(x.data() < low, constant(low, x), inside_high);
}

Variable sum(const Variable& x) {
  Axes all(static_cast<std::size_t>(x.dim()));
  std::iota(all.begin(), all.end(), 0);
  return sum(x, all, false);
}

Variable mean(const Variable& x) { return sum(x) / static_cast<double>(x.numel()); }

Variable mean(const Variable& x, const Axes& axes, bool keepdim) {
  std::int64_t count = 1;
  for (std::int64_t a : axes)
    count *= x.shape()[static_cast<std::size_t>(normalize_axis("mean", a, x.dim()))];
  return sum(x, axes, keepdim) / static_cast<double>(count);
}

// max = sum(x * mask) / sum(mask), where mask marks the maximal elements (a constant).
Variable max(const Variable& x, const Axes& axes, bool keepdim) {
  const Tensor m = max(x.data(), axes, true);
  const Tensor mask = (x.data() == m).to(x.dtype());
  return sum(x * Variable(mask), axes, keepdim) / Variable(sum(mask, axes, keepdim));
}

// logsumexp(x) = m + log(sum(exp(x - m))) with m = max(x), a constant shift.
// NOTE: the shift makes every exponent <= 0, so exp cannot overflow and the sum is >= 1.
Variable logsumexp(const Variable& x, const Axes& axes, bool keepdim) {
  const Variable m(max(x.data(), axes, true));
  Variable result = m + log(sum(exp(x - m), axes, true));
  if (keepdim) return result;
  return reshape(result, sum(m.data(), axes, false).shape());  // m is small: drops the kept axes
}

Variable log_softmax(const Variable& x, std::int64_t axis) {
  return x - logsumexp(x, {axis}, true);
}

Variable softmax(const Variable& x, std::int64_t axis) { return exp(log_softmax(x, axis)); }

Variable flatten(const Variable& x) { return reshape(x, {-1}); }

Variable transpose(const Variable& x) {
  if (x.dim() != 2) {
    throw ShapeError("transpose: without axes it needs a 2-d Variable, got shape " +
                     shape_str(x.shape()));
  }
  return permute(x, {1, 0});
}

// [book:sum_to]
// Like tensor sum_to: sum the leading axes that broadcasting added, and the axes where
// `shape` has size 1, then drop them.
Variable sum_to(const Variable& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  if (broadcast_shapes("sum_to", x.shape(), shape) != x.shape()) {
    throw ShapeError("sum_to: cannot sum shape " + shape_str(x.shape()) + " down to " +
                     shape_str(shape));
  }
  const std::int64_t lead = x.dim() - static_cast<std::int64_t>(shape.size());
  Axes axes;
  for (std::int64_t i = 0; i < x.dim(); ++i) {
    const auto si = static_cast<std::size_t>(i);
    if (i < lead || (shape[static_cast<std::size_t>(i - lead)] == 1 && x.shape()[si] != 1)) {
      axes.push_back(i);
    }
  }
  return reshape(sum(x, axes, false), shape);
}
// [/book:sum_to]

namespace reference {
// -(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))) = softplus(z) - z t
Variable binary_cross_entropy_with_logits(const Variable& z, const Variable& target) {
  return softplus(z) - z * target;
}
Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  return matmul(x, weight, false, /*transpose_b=*/true) + bias;
}
}  // namespace reference

}  // namespace xtgrad
