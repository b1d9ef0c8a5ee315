#pragma once
// The primitive operations: the only ones with a hand-written backward rule.
//
// Each is a struct whose forward (on Tensors) and backward (on Variables) sit side by side,
// with the formula above. Backward rules use Variable operations, so that when the engine
// records them (create_graph) second derivatives come out of the same rules.
// Conventions: g is the gradient of the output; each returned gradient has its input's
// shape (broadcast inputs reduce theirs with sum_to); an undefined Variable means "no
// gradient" and is returned for inputs that do not need one (ctx.needs_input_grad).
// Every other differentiable op (ops.cpp) is composed from these.
#include <numeric>

#include "autograd/function.hpp"
#include "autograd/ops.hpp"
#include "tensor/all.hpp"
#include "tensor/fused.hpp"

namespace xtgrad::primitives {

// [book:add]
// y = a + b                   grad_a = g,  grad_b = g                  (reduced to each shape)
struct Add {
  static constexpr const char* name = "add";
  Shape a_shape, b_shape;
  Tensor forward(Context&, const Variable& a, const Variable& b) {
    a_shape = a.shape();
    b_shape = b.shape();
    return xtgrad::add(a.data(), b.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    return {ctx.needs_input_grad(0) ? sum_to(g, a_shape) : Variable(),
            ctx.needs_input_grad(1) ? sum_to(g, b_shape) : Variable()};
  }
};
// [/book:add]

// y = a - b                   grad_a = g,  grad_b = -g                 (reduced to each shape)
// (The composite a + b * (-1) gives the same values; as a primitive it records one node, not three.)
struct Sub {
  static constexpr const char* name = "sub";
  Shape a_shape, b_shape;
  Tensor forward(Context&, const Variable& a, const Variable& b) {
    a_shape = a.shape();
    b_shape = b.shape();
    return xtgrad::sub(a.data(), b.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    return {ctx.needs_input_grad(0) ? sum_to(g, a_shape) : Variable(),
            ctx.needs_input_grad(1) ? sum_to(-g, b_shape) : Variable()};
  }
};

// y = a * b                   grad_a = g * b,  grad_b = g * a          (reduced to each shape)
struct Mul {
  static constexpr const char* name = "mul";
  Tensor forward(Context& ctx, const Variable& a, const Variable& b) {
    ctx.save(a);  // each gradient needs the other operand
    ctx.save(b);
    return xtgrad::mul(a.data(), b.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable a = ctx.saved(0);
    const Variable b = ctx.saved(1);
    return {ctx.needs_input_grad(0) ? sum_to(g * b, a.shape()) : Variable(),
            ctx.needs_input_grad(1) ? sum_to(g * a, b.shape()) : Variable()};
  }
};

// y = a / b                   grad_a = g / b,  grad_b = -g * (y / b)   (reduced to each shape)
// NOTE: a primitive for range: composed as a * b^-1, grad_b would be g * a * (-b^-2), and b^-2
// overflows where the true value a / b^2 is finite: in float32, b = 1e-20 and a = 1e-30 give
// b^-2 = inf and grad_b = -inf instead of -1e10 (in float64 the same at b = 1e-160). Written
// with y = a / b, as PyTorch does (div_tensor_other_backward: -grad * ((self / other) / other)),
// each step stays in range whenever a / b and a / b^2 do.
struct Div {
  static constexpr const char* name = "div";
  Shape a_shape;
  Tensor forward(Context& ctx, const Variable& a, const Variable& b) {
    a_shape = a.shape();
    ctx.save(b);        // both gradients divide by b
    ctx.save_output();  // grad_b needs y, not a
    return xtgrad::div(a.data(), b.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable b = ctx.saved(0);
    const Variable y = ctx.saved(1);
    return {ctx.needs_input_grad(0) ? sum_to(g / b, a_shape) : Variable(),
            ctx.needs_input_grad(1) ? sum_to(-g * (y / b), b.shape()) : Variable()};
  }
};

// y = x * s, for a number s    grad_x = g * s
// (The same values as x * Variable(s), recorded as one input: the number is neither saved as a
// tensor nor given a gradient, as in libtorch's mul(Tensor, Scalar). x * 2.0 and x / 4.0 use it.)
struct MulScalar {
  static constexpr const char* name = "mul";
  double s;
  Tensor forward(Context&, const Variable& x) { return x.data() * s; }
  Grads backward(Context&, const Variable& g) { return {g * s}; }
};

// y = x + s, for a number s    grad_x = g                (x + 1.0 and x - 1.0 use it)
struct AddScalar {
  static constexpr const char* name = "add";
  double s;
  Tensor forward(Context&, const Variable& x) { return x.data() + s; }
  Grads backward(Context&, const Variable& g) { return {g}; }
};

// y = x^p                     grad_x = g * p * x^(p - 1)
struct PowScalar {
  static constexpr const char* name = "pow";
  double p;
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return xtgrad::pow(x.data(), p);
  }
  Grads backward(Context& ctx, const Variable& g) {
    // NOTE: x^0 is constant; the formula would give 0 * 0^-1 = 0 * inf = nan at x = 0.
    if (p == 0.0) return {g * 0.0};
    return {g * p * pow(ctx.saved(0), p - 1)};
  }
};

// y = e^x                     grad_x = g * y
struct Exp {
  static constexpr const char* name = "exp";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save_output();  // backward needs y, not x
    return xtgrad::exp(x.data());
  }
  Grads backward(Context& ctx, const Variable& g) { return {g * ctx.saved(0)}; }
};

// y = log x                   grad_x = g / x
struct Log {
  static constexpr const char* name = "log";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return xtgrad::log(x.data());
  }
  Grads backward(Context& ctx, const Variable& g) { return {g / ctx.saved(0)}; }
};

// y = log(1 + x)              grad_x = g / (1 + x)
struct Log1p {
  static constexpr const char* name = "log1p";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return xtgrad::log1p(x.data());
  }
  Grads backward(Context& ctx, const Variable& g) { return {g / (1.0 + ctx.saved(0))}; }
};

// y = 1 / (1 + e^-x)          grad_x = g * y * (1 - y)
// NOTE: a primitive for stability: composed as 1 / (1 + exp(-x)), its backward would compute
// inf / inf = nan at x = -1000. Written with y, the gradient is 0 there, as it should be.
struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save_output();
    return xtgrad::sigmoid(x.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable y = ctx.saved(0);
    return {g * y * (1.0 - y)};
  }
};

// y = max(x, 0)               grad_x = y > 0 ? g : 0
// NOTE: the gradient at 0 is 0, PyTorch's choice (any value in [0, 1] is a subgradient).
// NOTE: relu(NaN) = NaN, as in PyTorch; composed as where(x > 0, x, 0) it would be 0, since
// NaN > 0 is false. The mask is PyTorch's too (threshold_backward: y <= 0 ? 0 : g), so a NaN
// passes the gradient through: NaN <= 0 is false.
struct Relu {
  static constexpr const char* name = "relu";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save_output();  // the mask is read from y
    return xtgrad::relu(x.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Tensor y = ctx.saved(0).data();  // a constant: relu's second derivative is 0
    // Fast path when backward is not recorded: the same values in one pass (tensor/fused.hpp).
    if (!grad_enabled()) return {Variable(relu_backward(g.data(), y))};
    const Variable zero(zeros({}, g.dtype()));
    return {where(y <= zeros({}, y.dtype()), zero, g)};
  }
};

// y = condition ? a : b       grad_a = condition ? g : 0,  grad_b = condition ? 0 : g
struct Where {
  static constexpr const char* name = "where";
  Tensor condition;  // boolean, not differentiable
  Shape a_shape, b_shape;
  Tensor forward(Context&, const Variable& a, const Variable& b) {
    a_shape = a.shape();
    b_shape = b.shape();
    return xtgrad::where(condition, a.data(), b.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable zero(zeros({}, g.dtype()));
    return {ctx.needs_input_grad(0) ? sum_to(where(condition, g, zero), a_shape) : Variable(),
            ctx.needs_input_grad(1) ? sum_to(where(condition, zero, g), b_shape) : Variable()};
  }
};

// y = sum of x over axes      grad_x = g, put back on the reduced axes and broadcast to x
struct Sum {
  static constexpr const char* name = "sum";
  Axes axes;
  bool keepdim;
  Shape x_shape;
  Tensor forward(Context&, const Variable& x) {
    x_shape = x.shape();
    return xtgrad::sum(x.data(), axes, keepdim);
  }
  Grads backward(Context&, const Variable& g) {
    Shape kept = x_shape;  // x's shape with the reduced axes set to 1
    for (std::int64_t a : axes)
      kept[static_cast<std::size_t>(
          normalize_axis("sum", a, static_cast<std::int64_t>(kept.size())))] = 1;
    return {broadcast_to(reshape(g, kept), x_shape)};
  }
};

// y = x repeated to `shape`   grad_x = g summed back to x's shape
struct BroadcastTo {
  static constexpr const char* name = "broadcast_to";
  Shape shape;
  Shape x_shape;
  Tensor forward(Context&, const Variable& x) {
    x_shape = x.shape();
    return xtgrad::broadcast_to(x.data(), shape);
  }
  Grads backward(Context&, const Variable& g) { return {sum_to(g, x_shape)}; }
};

// y = x seen with another shape      grad_x = g seen with x's shape
struct Reshape {
  static constexpr const char* name = "reshape";
  Shape shape;
  Shape x_shape;
  Tensor forward(Context&, const Variable& x) {
    x_shape = x.shape();
    return x.data().reshape(shape);
  }
  Grads backward(Context&, const Variable& g) { return {reshape(g, x_shape)}; }
};

// y = x with its axes reordered      grad_x = g with the inverse order
struct Permute {
  static constexpr const char* name = "permute";
  Axes axes;
  Tensor forward(Context&, const Variable& x) { return x.data().permute(axes); }
  Grads backward(Context&, const Variable& g) {
    Axes inverse(axes.size());
    for (std::size_t i = 0; i < axes.size(); ++i) {
      inverse[static_cast<std::size_t>(
          normalize_axis("permute", axes[i], static_cast<std::int64_t>(axes.size())))] =
          static_cast<std::int64_t>(i);
    }
    return {permute(g, inverse)};
  }
};

// Y = A B, with A = op(a), B = op(b)   grad_A = g B^T,  grad_B = A^T g
// and then grad_a = grad_A (or its transpose when a is used transposed), same for b.
// Each case below is that formula with the transposes folded into BLAS flags.
struct MatMul {
  static constexpr const char* name = "matmul";
  bool ta, tb;
  Tensor forward(Context& ctx, const Variable& a, const Variable& b) {
    ctx.save(a);  // grad_a needs b and grad_b needs a
    ctx.save(b);
    return xtgrad::matmul(a.data(), b.data(), ta, tb);
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable a = ctx.saved(0);
    const Variable b = ctx.saved(1);
    Variable grad_a, grad_b;
    if (ctx.needs_input_grad(0)) {
      grad_a = !ta ? matmul(g, b, false, !tb)  // g B^T
                   : matmul(b, g, tb, true);   // (g B^T)^T = B g^T
    }
    if (ctx.needs_input_grad(1)) {
      grad_b = !tb ? matmul(a, g, !ta, false)  // A^T g
                   : matmul(g, a, true, ta);   // (A^T g)^T = g^T A
    }
    return {grad_a, grad_b};
  }
};

// y = x W^T + b               grad_x = g W,  grad_W = g^T x,  grad_b = g summed over rows
// One node and one pass instead of matmul then add (tensor/linalg.hpp's linear). The same
// values as the composite matmul(x, w, false, true) + b, which gradcheck and
// tests/autograd/test_fast_paths.cpp compare it with.
struct Linear {
  static constexpr const char* name = "linear";
  Tensor forward(Context& ctx, const Variable& x, const Variable& w, const Variable& b) {
    ctx.save(x);  // grad_W needs x, grad_x needs W
    ctx.save(w);
    return xtgrad::linear(x.data(), w.data(), b.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable x = ctx.saved(0);
    const Variable w = ctx.saved(1);
    return {
        ctx.needs_input_grad(0) ? matmul(g, w) : Variable(),               // (N, out) @ (out, in)
        ctx.needs_input_grad(1) ? matmul(g, x, true, false) : Variable(),  // (N, out)^T @ (N, in)
        ctx.needs_input_grad(2) ? sum(g, {0}) : Variable()};               // (out,)
  }
};

// l = max(z, 0) - z t + log(1 + e^-|z|)       grad_z = g (sigmoid(z) - t),  grad_t = -g z
// (binary cross-entropy of sigmoid(z) against t; with `summed`, y is the sum of l and g a
// scalar). One pass forward and one backward, for the composite softplus(z) - z t, which
// records six nodes and allocates as many (N, D) tensors; reference::binary_cross_entropy_with_logits
// keeps it, and tests/autograd/test_fast_paths.cpp checks both agree.
// NOTE: z and t have the same shape here; ops.cpp uses the composite when they broadcast.
struct BinaryCrossEntropyWithLogits {
  static constexpr const char* name = "binary_cross_entropy_with_logits";
  bool summed;
  Tensor forward(Context& ctx, const Variable& z, const Variable& t) {
    ctx.save(z);  // grad_z needs sigmoid(z), grad_t needs z
    ctx.save(t);
    return summed ? bce_with_logits_sum(z.data(), t.data()) : bce_with_logits(z.data(), t.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable z = ctx.saved(0);
    const Variable t = ctx.saved(1);
    Variable grad_z, grad_t;
    if (ctx.needs_input_grad(0)) {
      grad_z = !grad_enabled()
                   ? Variable(bce_with_logits_backward(g.data(), z.data(), t.data()))  // fast path
                   : g * (sigmoid(z) - t);  // recorded: second derivatives
    }
    if (ctx.needs_input_grad(1)) grad_t = -(g * z);  // g broadcasts when summed
    return {grad_z, grad_t};
  }
};

// l = -(t max(log p, -100) + (1 - t) max(log(1 - p), -100))
//     grad_p = g (p - t) / max(p (1 - p), 1e-12),   grad_t = g (log(1 - p) - log p)
// NOTE: a primitive for stability (PyTorch does the same): composed from log, the clamp
// would meet a gradient of 0 * inf = nan at p = 0 or p = 1.
struct BinaryCrossEntropy {
  static constexpr const char* name = "binary_cross_entropy";
  Shape p_shape, t_shape;
  Tensor forward(Context& ctx, const Variable& p, const Variable& t) {
    ctx.save(p);
    ctx.save(t);
    p_shape = p.shape();
    t_shape = t.shape();
    const Tensor& pd = p.data();
    const Tensor log_p = xtgrad::clamp(xtgrad::log(pd), -100.0, 0.0);
    const Tensor log_1mp = xtgrad::clamp(xtgrad::log(1.0 - pd), -100.0, 0.0);
    return -(t.data() * log_p + (1.0 - t.data()) * log_1mp);
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable p = ctx.saved(0);
    const Variable t = ctx.saved(1);
    Variable grad_p, grad_t;
    if (ctx.needs_input_grad(0)) {
      // PyTorch's floor is the float 1e-12f (9.99999996e-13), in every dtype.
      const Tensor floor = full({}, static_cast<double>(1e-12f), p.dtype());
      const Variable denominator =
          where(p.data() * (1.0 - p.data()) > floor, p * (1.0 - p), Variable(floor));
      grad_p = sum_to(g * (p - t) / denominator, p_shape);
    }
    if (ctx.needs_input_grad(1)) {
      grad_t = sum_to(g * (clamp(log(1.0 - p), -100, 0) - clamp(log(p), -100, 0)), t_shape);
    }
    return {grad_p, grad_t};
  }
};

// --- not differentiable: integer and boolean results ------------------------------------------

// y = a > b (boolean)
struct Greater {
  static constexpr const char* name = "gt";
  Tensor forward(Context&, const Variable& a, const Variable& b) {
    return xtgrad::gt(a.data(), b.data());
  }
  Grads backward(Context&, const Variable&) { return {Variable(), Variable()}; }
};

// y = index of the maximum along an axis (int64)
struct ArgMax {
  static constexpr const char* name = "argmax";
  std::int64_t axis;
  bool keepdim;
  Tensor forward(Context&, const Variable& x) { return xtgrad::argmax(x.data(), axis, keepdim); }
  Grads backward(Context&, const Variable&) { return {Variable()}; }
};

}  // namespace xtgrad::primitives
