// Elementwise arithmetic, math functions, comparisons and in-place updates.
//
// Each public function names its operation and passes an xtensor expression to one of three
// kernels (unary, binary, with_scalar), or a comparison to compare(), a plain loop. A kernel
// checks dtypes and broadcasts shapes (so that errors name the operation and both shapes),
// allocates the result and evaluates the expression into it with xt::noalias: no temporaries.
#include <cmath>
#include <functional>
#include <string>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xoperation.hpp>

#include "tensor/creation.hpp"
#include "tensor/kernels.hpp"
#include "tensor/math.hpp"

namespace xtgrad {

using detail::dispatch_all;
using detail::dispatch_floating;
using detail::xview;

namespace {

// out = f(x) for a floating x. f gets the view and a T{} that only tells it the element type:
// f must not put that parameter itself into the expression it returns (it would dangle).
template <class F>
Tensor unary(const char* op, const Tensor& x, F f) {
  check_floating(op, x);
  return dispatch_floating(op, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor out = Tensor::empty(x.shape(), x.dtype());
    auto xx = detail::flat_view<T>(x);
    auto xo = detail::flat_view<T>(out);
    xt::noalias(xo) = f(xx, T{});
    return out;
  });
}

// Below this many elements, the arithmetic kernels (with_scalar, and binary without
// broadcasting) run a plain loop of f on numbers instead of an xtensor assignment.
// NOTE: setting up an xtensor assignment costs far more than the arithmetic on a few numbers
// (bench/README.md, attempt 6, measures it). Above this size, xtensor's SIMD loop wins.
// tests/tensor's kernel tests run sizes on both sides of it.
constexpr std::int64_t plain_loop_below = 16;

// out = f(a, s) or f(s, a) for a double scalar s converted to a's dtype.
template <class F>
Tensor with_scalar(const char* op, const Tensor& a, double s, bool scalar_first, F f) {
  check_floating(op, a);
  return dispatch_floating(op, a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor out = Tensor::empty(a.shape(), a.dtype());
    if (a.numel() < plain_loop_below) {
      const T* pa = a.data<T>();
      T* po = out.data<T>();
      const T scalar = static_cast<T>(s);
      for (std::int64_t i = 0; i < a.numel(); ++i)
        po[i] = scalar_first ? f(scalar, pa[i]) : f(pa[i], scalar);
      return out;
    }
    auto xa = detail::flat_view<T>(a);
    auto xo = detail::flat_view<T>(out);
    const T scalar = static_cast<T>(s);
    if (scalar_first) {
      xt::noalias(xo) = f(scalar, xa);
    } else {
      xt::noalias(xo) = f(xa, scalar);
    }
    return out;
  });
}

// out = f(a, b), broadcasting a and b (same floating dtype).
template <class F>
Tensor binary(const char* op, const Tensor& a, const Tensor& b, F f) {
  check_same_dtype(op, a, b);
  // NOTE: a 0-d operand (a constant such as the 0.5 in x * 0.5) goes in as a scalar: xtensor
  // broadcasts a 0-d array through its slow element-by-element stepper.
  if (b.dim() == 0 && is_floating(a.dtype())) return with_scalar(op, a, b.item(), false, f);
  if (a.dim() == 0 && is_floating(b.dtype())) return with_scalar(op, b, a.item(), true, f);
  const bool same_shape = a.shape() == b.shape();
  const Shape shape = same_shape ? a.shape() : broadcast_shapes(op, a.shape(), b.shape());
  return dispatch_floating(op, a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor out = Tensor::empty(shape, a.dtype());
    if (same_shape && a.numel() < plain_loop_below) {
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* po = out.data<T>();
      for (std::int64_t i = 0; i < a.numel(); ++i) po[i] = f(pa[i], pb[i]);
      return out;
    }
    if (same_shape) {  // no broadcasting: flat rows, no allocation for the views
      auto xa = detail::flat_view<T>(a);
      auto xb = detail::flat_view<T>(b);
      auto xo = detail::flat_view<T>(out);
      xt::noalias(xo) = f(xa, xb);
      return out;
    }
    auto xa = xview<T>(a);
    auto xb = xview<T>(b);
    auto xo = xview<T>(out);
    xt::noalias(xo) = f(xa, xb);
    return out;
  });
}

// out[i] = f(a[ia], b[ib]) over out's shape, the broadcast of a's and b's, by a plain loop:
// a and b hold T, out holds Out.
template <class T, class Out, class F>
void map_broadcast(const Tensor& a, const Tensor& b, Tensor& out, F f) {
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  Out* po = out.data<Out>();
  detail::for_each_broadcast<2>(out.shape(), {a.shape(), b.shape()},
                                [&](std::int64_t i, auto at) { po[i] = f(pa[at[0]], pb[at[1]]); });
}

// Boolean out = f(a, b), broadcasting; any dtype, the same for a and b.
// NOTE: a plain loop, not xtensor: with xsimd 8 on AVX2, xtensor compares a broadcast operand
// into a bool result wrongly (part of the mask is left unwritten once a row reaches the SIMD
// width), and cannot compile comparisons of bool operands at all (no operator< on
// batch_bool). tests/tensor/test_kernels_*.cpp check every kernel against a scalar loop.
template <class F>
Tensor compare(const char* op, const Tensor& a, const Tensor& b, F f) {
  check_same_dtype(op, a, b);
  Tensor out = Tensor::empty(broadcast_shapes(op, a.shape(), b.shape()), DType::boolean);
  dispatch_all(a.dtype(), [&](auto tag) { map_broadcast<decltype(tag), bool>(a, b, out, f); });
  return out;
}

// out = f(a, b) for floating a and b, broadcasting, by the same plain loop as compare(): for
// the ops whose xsimd 8 versions differ from the scalar ones (see maximum and pow).
template <class F>
Tensor binary_loop(const char* op, const Tensor& a, const Tensor& b, F f) {
  check_same_dtype(op, a, b);
  const Shape shape = broadcast_shapes(op, a.shape(), b.shape());
  return dispatch_floating(op, a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor out = Tensor::empty(shape, a.dtype());
    map_broadcast<T, T>(a, b, out, f);
    return out;
  });
}

// The larger and the smaller of two values, where a NaN in either position wins, as in
// PyTorch's maximum, minimum and relu.
// NOTE: SIMD max/min instructions (and so xt::maximum with xsimd) return their second operand
// when either is NaN: maximum(NaN, 1) would be 1, and relu(NaN) 0.
template <class T>
T nan_max(T a, T b) {
  return (a > b || std::isnan(a)) ? a : b;
}
template <class T>
T nan_min(T a, T b) {
  return (a < b || std::isnan(a)) ? a : b;
}

// Throws ShapeError unless `src` broadcasts to `target` (in-place updates keep their shape).
// NOTE: xtensor's `a = b` resizes a to b's shape; in-place kernels assign
// xt::broadcast(b, a.shape()) instead, which keeps a's shape.
void check_broadcasts_to(const char* op, const Shape& target, const Shape& src) {
  if (broadcast_shapes(op, target, src) != target) {
    throw ShapeError(std::string(op) + ": cannot update a tensor of shape " + shape_str(target) +
                     " in place from shape " + shape_str(src));
  }
}

}  // namespace

// --- arithmetic ------------------------------------------------------------------------------
Tensor add(const Tensor& a, const Tensor& b) {
  return binary("add", a, b, [](auto& x, auto& y) { return x + y; });
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return binary("sub", a, b, [](auto& x, auto& y) { return x - y; });
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return binary("mul", a, b, [](auto& x, auto& y) { return x * y; });
}
Tensor div(const Tensor& a, const Tensor& b) {
  return binary("div", a, b, [](auto& x, auto& y) { return x / y; });
}
Tensor neg(const Tensor& x) {
  return unary("neg", x, [](auto& v, auto) { return -v; });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }

namespace {
const auto plus = [](const auto& x, const auto& y) { return x + y; };
const auto minus = [](const auto& x, const auto& y) { return x - y; };
const auto times = [](const auto& x, const auto& y) { return x * y; };
const auto divide = [](const auto& x, const auto& y) { return x / y; };
}  // namespace

Tensor operator+(const Tensor& a, double b) { return with_scalar("add", a, b, false, plus); }
Tensor operator-(const Tensor& a, double b) { return with_scalar("sub", a, b, false, minus); }
Tensor operator*(const Tensor& a, double b) { return with_scalar("mul", a, b, false, times); }
Tensor operator/(const Tensor& a, double b) { return with_scalar("div", a, b, false, divide); }
Tensor operator+(double a, const Tensor& b) { return with_scalar("add", b, a, true, plus); }
Tensor operator-(double a, const Tensor& b) { return with_scalar("sub", b, a, true, minus); }
Tensor operator*(double a, const Tensor& b) { return with_scalar("mul", b, a, true, times); }
Tensor operator/(double a, const Tensor& b) { return with_scalar("div", b, a, true, divide); }

// --- math functions ----------------------------------------------------------------------------
Tensor exp(const Tensor& x) {
  return unary("exp", x, [](auto& v, auto) { return xt::exp(v); });
}
Tensor log(const Tensor& x) {
  return unary("log", x, [](auto& v, auto) { return xt::log(v); });
}
Tensor log1p(const Tensor& x) {
  return unary("log1p", x, [](auto& v, auto) { return xt::log1p(v); });
}
Tensor sqrt(const Tensor& x) {
  return unary("sqrt", x, [](auto& v, auto) { return xt::sqrt(v); });
}
Tensor tanh(const Tensor& x) {
  return unary("tanh", x, [](auto& v, auto) { return xt::tanh(v); });
}
Tensor sigmoid(const Tensor& x) {
  return unary("sigmoid", x, [](auto& v, auto zero) {
    using T = decltype(zero);
    return T(1) / (T(1) + xt::exp(-v));
  });
}
// relu is in fused.cpp: a vectorised loop (a training step calls it on every hidden layer).
Tensor abs(const Tensor& x) {
  return unary("abs", x, [](auto& v, auto) { return xt::abs(v); });
}
Tensor sign(const Tensor& x) {
  return unary("sign", x, [](auto& v, auto) { return xt::sign(v); });
}
Tensor square(const Tensor& x) {
  return unary("square", x, [](auto& v, auto) { return v * v; });
}
// NOTE: std::pow, not xt::pow: xsimd 8's pow gives pow(0, -1) = 0 instead of inf.
Tensor pow(const Tensor& x, double exponent) {
  check_floating("pow", x);
  return pow(x, scalar_tensor(exponent, x.dtype()));
}
Tensor pow(const Tensor& x, const Tensor& exponent) {
  return binary_loop("pow", x, exponent, [](auto v, auto e) { return std::pow(v, e); });
}
Tensor clamp(const Tensor& x, double low, double high) {
  if (!(low <= high)) {
    throw ValueError("clamp: low must not exceed high, got [" + std::to_string(low) + ", " +
                     std::to_string(high) + "]");
  }
  return unary("clamp", x, [low, high](auto& v, auto zero) {
    using T = decltype(zero);
    return xt::clip(v, static_cast<T>(low), static_cast<T>(high));
  });
}
Tensor maximum(const Tensor& a, const Tensor& b) {
  return binary_loop("maximum", a, b, [](auto x, auto y) { return nan_max(x, y); });
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return binary_loop("minimum", a, b, [](auto x, auto y) { return nan_min(x, y); });
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_defined("where", condition);
  if (condition.dtype() != DType::boolean) {
    throw DTypeError("where: the condition must be a bool tensor, got " +
                     dtype_name(condition.dtype()) + " (compare first, e.g. x > 0)");
  }
  check_same_dtype("where", a, b);
  const Shape shape =
      broadcast_shapes("where", broadcast_shapes("where", condition.shape(), a.shape()), b.shape());
  Tensor out = Tensor::empty(shape, a.dtype());
  // NOTE: plain loops: xt::where with xsimd 8 on AVX2 picks wrong values once an operand is
  // broadcast along a leading axis and a row reaches the SIMD width.
  dispatch_floating("where", a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const bool* pc = condition.data<bool>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    const bool same_shapes = condition.shape() == shape && a.shape() == shape;
    const std::int64_t n =
        out.numel();  // NOTE: not in the loop condition: numel() multiplies the sizes
    if (same_shapes && b.shape() == shape) {
      for (std::int64_t i = 0; i < n; ++i) po[i] = pc[i] ? pa[i] : pb[i];
    } else if (same_shapes && b.dim() == 0) {  // where(mask, x, 0)
      const T scalar = pb[0];
      for (std::int64_t i = 0; i < n; ++i) po[i] = pc[i] ? pa[i] : scalar;
    } else {
      detail::for_each_broadcast<3>(
          shape, {condition.shape(), a.shape(), b.shape()},
          [&](std::int64_t i, auto at) { po[i] = pc[at[0]] ? pa[at[1]] : pb[at[2]]; });
    }
  });
  return out;
}

// --- comparisons ---------------------------------------------------------------------------------
Tensor eq(const Tensor& a, const Tensor& b) { return compare("eq", a, b, std::equal_to<>()); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare("ne", a, b, std::not_equal_to<>()); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare("lt", a, b, std::less<>()); }
Tensor le(const Tensor& a, const Tensor& b) { return compare("le", a, b, std::less_equal<>()); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare("gt", a, b, std::greater<>()); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare("ge", a, b, std::greater_equal<>()); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator>(const Tensor& a, double b) { return gt(a, scalar_tensor(b, a.dtype())); }
Tensor operator<(const Tensor& a, double b) { return lt(a, scalar_tensor(b, a.dtype())); }

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  check_defined("allclose", a);
  check_defined("allclose", b);
  if (a.shape() != b.shape()) {
    return false;
  }
  const std::vector<double> x = a.to_vector<double>();
  const std::vector<double> y = b.to_vector<double>();
  for (std::size_t i = 0; i < x.size(); ++i) {
    // NOTE: infinities need x == y: |inf - inf| is NaN, and |1 - inf| <= rtol * inf is true.
    const bool finite = std::isfinite(x[i]) && std::isfinite(y[i]);
    const bool close =
        finite ? std::abs(x[i] - y[i]) <= atol + rtol * std::abs(y[i]) : x[i] == y[i];
    if (!close) {
      return false;
    }
  }
  return true;
}

// --- in-place updates ------------------------------------------------------------------------------
Tensor& Tensor::copy_(const Tensor& src) {
  check_same_dtype("copy_", *this, src);
  check_broadcasts_to("copy_", shape(), src.shape());
  dispatch_all(dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto xs = xview<T>(src);
    auto xo = xview<T>(*this);
    if (src.shape() == shape()) {
      xt::noalias(xo) = xs;  // same shape: xtensor's fast linear loop
    } else {
      xt::noalias(xo) = xt::broadcast(xs, xo.shape());
    }
  });
  bump_version();
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check_floating("add_", *this);
  check_same_dtype("add_", *this, other);
  check_broadcasts_to("add_", shape(), other.shape());
  dispatch_floating("add_", dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto xs = xview<T>(other);
    auto xo = xview<T>(*this);
    if (other.shape() == shape()) {
      xt::noalias(xo) += static_cast<T>(alpha) * xs;
    } else {
      xt::noalias(xo) += static_cast<T>(alpha) * xt::broadcast(xs, xo.shape());
    }
  });
  bump_version();
  return *this;
}

Tensor& Tensor::mul_(const Tensor& other) {
  check_floating("mul_", *this);
  check_same_dtype("mul_", *this, other);
  check_broadcasts_to("mul_", shape(), other.shape());
  dispatch_floating("mul_", dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto xs = xview<T>(other);
    auto xo = xview<T>(*this);
    if (other.shape() == shape()) {
      xt::noalias(xo) *= xs;
    } else {
      xt::noalias(xo) *= xt::broadcast(xs, xo.shape());
    }
  });
  bump_version();
  return *this;
}

Tensor& Tensor::mul_(double scalar) {
  check_floating("mul_", *this);
  dispatch_floating("mul_", dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto xo = xview<T>(*this);
    xt::noalias(xo) *= static_cast<T>(scalar);
  });
  bump_version();
  return *this;
}

}  // namespace xtgrad
