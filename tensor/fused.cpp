// Fused kernels (see fused.hpp): plain loops that the compiler vectorises.
//
// NOTE: this file is compiled with -fopenmp-simd, -fno-math-errno and -fno-trapping-math
// (tensor/CMakeLists.txt): `#pragma omp simd` lets GCC vectorise a loop (and a sum, whose order
// it may then change) without -ffast-math; std::sqrt without errno is one instruction; and
// without traps, both sides of a `c ? a : b` may be computed, so the loops have no branches.
// Where the level has FMA, a * b + c may become one instruction (faster polynomials:
// bench/README.md, attempt 2): results can then differ in the last bit from a level without
// it, which the differential test (tests/tensor/test_kernels_fused.cpp) allows for, at both
// levels.
#include "tensor/fused.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/creation.hpp"
#include "tensor/kernels.hpp"
#include "tensor/math.hpp"

namespace xtgrad {

namespace {

void check_same(const char* op, const Tensor& a, const Tensor& b) {
  check_floating(op, a);
  check_same_dtype(op, a, b);
  if (a.shape() != b.shape()) {
    throw ShapeError(std::string(op) + ": operands of shapes " + shape_str(a.shape()) + " and " +
                     shape_str(b.shape()) + " differ (this fused kernel does not broadcast)");
  }
}

// --- e^x and log(1 + e^x) for x <= 0, in float32, without calling libm -----------------------
// glibc's expf and log1pf are scalar calls: with them the loss of a 256 x 784 batch cost more
// than its matrix products (bench/README.md, attempt 2). These are Cephes' expf and
// logf (S. Moshier, Cephes Math Library, 1984-1992), written so that a loop over them
// vectorises: no branches, no table, the exponent built from its bits.
// Accuracy (tests/tensor/test_kernels_fused.cpp, through softplus and sigmoid against float64
// std::exp and std::log1p on 200,001 points over [-110, 110]): within 4 ulp.

// The float whose bits are `bits` (std::bit_cast in C++20; GCC's builtin here, because a
// memcpy through a local stops the loop from vectorising).
inline float from_bits(std::int32_t bits) { return __builtin_bit_cast(float, bits); }

// e^x for x <= 0 (or NaN).
// x = k ln2 + r with k an integer and |r| <= ln2 / 2; e^x = 2^k e^r, e^r by a polynomial.
// NOTE: below x = -87.3365, e^x is below the smallest normal float (1.2e-38): the result is 0
// there (std::exp would give a subnormal, less than 1.2e-38 away).
inline float exp_nonpositive(float x) {
  const bool nan = x != x;
  const bool tiny = x < -87.33654f;  // log(1.17549435e-38), so that k >= -126 below
  const float xc = (nan || tiny) ? 0.0f : x;
  // k = round(x / ln2), by adding and subtracting 1.5 * 2^23 (round to nearest, any SIMD level).
  const float k = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  // r = x - k ln2, with ln2 split in two so that k * ln2_hi is exact.
  const float r = (xc - k * 0.693359375f) - k * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e_r = p * r * r + r + 1.0f;                                     // e^r
  const float two_k = from_bits((static_cast<std::int32_t>(k) + 127) << 23);  // 2^k, k >= -126
  const float result = e_r * two_k;
  return nan ? x : (tiny ? 0.0f : result);
}

// log u for u in [1, 2].
// u = m 2^e with m in [sqrt(1/2), sqrt(2)): e = 0, m = u below sqrt(2), else e = 1, m = u / 2;
// log u = e ln2 + log m, and log(1 + x) for x = m - 1 in [-0.29, 0.41] by a polynomial.
inline float log_1_to_2(float u) {
  const bool high = u >= 1.41421356237f;
  const float e = high ? 1.0f : 0.0f;
  const float x = (high ? u * 0.5f : u) - 1.0f;
  const float z = x * x;
  float y = 7.0376836292e-2f;
  y = y * x - 1.1514610310e-1f;
  y = y * x + 1.1676998740e-1f;
  y = y * x - 1.2420140846e-1f;
  y = y * x + 1.4249322787e-1f;
  y = y * x - 1.6668057665e-1f;
  y = y * x + 2.0000714765e-1f;
  y = y * x - 2.4999993993e-1f;
  y = y * x + 3.3333331174e-1f;
  y = y * x * z;
  y += e * -2.12194440e-4f;  // ln2 = 0.693359375 - 2.12194440e-4, the first part exact
  y += -0.5f * z;
  return x + y + e * 0.693359375f;
}

// log(1 + e) for e in [0, 1].
// NOTE: u = 1 + e rounds away the low bits of e (and all of it below 2^-24). Scaling log u by
// e / (u - 1), where u - 1 is exact, puts them back (D. Goldberg, "What every computer
// scientist should know about floating-point arithmetic", 1991, theorem 4).
inline float log1p_unit(float e) {
  const float u = 1.0f + e;
  const float d = u - 1.0f;
  return d == 0.0f ? e : log_1_to_2(u) * (e / d);
}

// The two functions the kernels need, for each dtype: e^-|z| and log(1 + that).
// float64 uses the C library: it serves gradient checks, where accuracy is the point.
inline float exp_neg_abs(float z) { return exp_nonpositive(-std::fabs(z)); }
inline double exp_neg_abs(double z) { return std::exp(-std::fabs(z)); }
inline float log1p_of(float e) { return log1p_unit(e); }
inline double log1p_of(double e) { return std::log1p(e); }

// l = max(z, 0) - z t + log(1 + e^-|z|)
// NOTE: z > 0 ? z : 0, not std::max: a NaN z must not become 0 (here -z t carries it on).
template <class T>
inline T bce_logits_one(T z, T t) {
  return (z > T(0) ? z : T(0)) - z * t + log1p_of(exp_neg_abs(z));
}

// sigmoid(z) from e = e^-|z|: 1 / (1 + e) for z >= 0, e / (1 + e) below (never e^z overflowing).
template <class T>
inline T sigmoid_one(T z) {
  const T e = exp_neg_abs(z);
  return (z >= T(0) ? T(1) : e) / (T(1) + e);
}

}  // namespace

// Declared in math.hpp with the other elementwise functions.
// NOTE: x > 0 || x != x keeps a NaN, as PyTorch's relu does (std::max(x, 0) would not).
Tensor relu(const Tensor& x) {
  check_floating("relu", x);
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  detail::dispatch_floating("relu", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* o = out.data<T>();
    const std::int64_t n = out.numel();
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i) o[i] = (px[i] > T(0) || px[i] != px[i]) ? px[i] : T(0);
  });
  return out;
}

Tensor relu_backward(const Tensor& grad_y, const Tensor& y) {
  check_same("relu_backward", grad_y, y);
  Tensor out = Tensor::empty(y.shape(), y.dtype());
  detail::dispatch_floating("relu_backward", y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* g = grad_y.data<T>();
    const T* py = y.data<T>();
    T* o = out.data<T>();
    const std::int64_t n = out.numel();
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i) o[i] = py[i] <= T(0) ? T(0) : g[i];
  });
  return out;
}

Tensor bce_with_logits(const Tensor& z, const Tensor& t) {
  check_same("bce_with_logits", z, t);
  Tensor out = Tensor::empty(z.shape(), z.dtype());
  detail::dispatch_floating("bce_with_logits", z.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pz = z.data<T>();
    const T* pt = t.data<T>();
    T* o = out.data<T>();
    const std::int64_t n = out.numel();
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i) o[i] = bce_logits_one(pz[i], pt[i]);
  });
  return out;
}

Tensor bce_with_logits_sum(const Tensor& z, const Tensor& t) {
  check_same("bce_with_logits_sum", z, t);
  return detail::dispatch_floating("bce_with_logits_sum", z.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pz = z.data<T>();
    const T* pt = t.data<T>();
    const std::int64_t n = z.numel();
    double total = 0.0;  // NOTE: float64 for a float32 sum: 200,000 terms would lose ~4 digits
#pragma omp simd reduction(+ : total)
    for (std::int64_t i = 0; i < n; ++i) total += static_cast<double>(bce_logits_one(pz[i], pt[i]));
    return full({}, total, z.dtype());
  });
}

Tensor bce_with_logits_backward(const Tensor& g, const Tensor& z, const Tensor& t) {
  check_same("bce_with_logits_backward", z, t);
  check_same_dtype("bce_with_logits_backward", g, z);
  const bool scalar_g = g.dim() == 0;
  if (!scalar_g && g.shape() != z.shape()) {
    throw ShapeError("bce_with_logits_backward: the gradient of shape " + shape_str(g.shape()) +
                     " is neither 0-d nor the logits' shape " + shape_str(z.shape()));
  }
  Tensor out = Tensor::empty(z.shape(), z.dtype());
  detail::dispatch_floating("bce_with_logits_backward", z.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pg = g.data<T>();
    const T* pz = z.data<T>();
    const T* pt = t.data<T>();
    T* o = out.data<T>();
    const std::int64_t n = out.numel();
    if (scalar_g) {
      const T g0 = pg[0];
#pragma omp simd
      for (std::int64_t i = 0; i < n; ++i) o[i] = g0 * (sigmoid_one(pz[i]) - pt[i]);
    } else {
#pragma omp simd
      for (std::int64_t i = 0; i < n; ++i) o[i] = pg[i] * (sigmoid_one(pz[i]) - pt[i]);
    }
  });
  return out;
}

Tensor sum_leading_axes(const Tensor& x, std::int64_t axes) {
  check_floating("sum", x);
  const Shape& shape = x.shape();
  const Shape kept(shape.begin() + axes, shape.end());  // the result's shape
  const std::int64_t cols = shape_numel(kept);
  const std::int64_t rows = shape_numel(Shape(shape.begin(), shape.begin() + axes));
  Tensor out = Tensor::empty(kept, x.dtype());
  detail::dispatch_floating("sum", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    if (cols == 1) {  // everything into one number
      double total = 0.0;
#pragma omp simd reduction(+ : total)
      for (std::int64_t i = 0; i < rows; ++i) total += static_cast<double>(px[i]);
      po[0] = static_cast<T>(total);
      return;
    }
    Tensor total = Tensor::empty({cols}, DType::float64).fill_(0.0);  // (cols,), from the pool
    double* pt = total.data<double>();
    for (std::int64_t i = 0; i < rows; ++i) {
      const T* row = px + i * cols;
#pragma omp simd
      for (std::int64_t j = 0; j < cols; ++j) pt[j] += static_cast<double>(row[j]);
    }
#pragma omp simd
    for (std::int64_t j = 0; j < cols; ++j) po[j] = static_cast<T>(pt[j]);
  });
  return out;
}

void adam_update_(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, const AdamUpdate& u) {
  check_same("adam_update_", w, g);
  check_same("adam_update_", w, m);
  check_same("adam_update_", w, v);
  detail::dispatch_floating("adam_update_", w.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* pw = w.data<T>();
    const T* pg = g.data<T>();
    T* pm = m.data<T>();
    T* pv = v.data<T>();
    const T beta1 = static_cast<T>(u.beta1), beta2 = static_cast<T>(u.beta2);
    const T one_minus_beta1 = static_cast<T>(1.0 - u.beta1),
            one_minus_beta2 = static_cast<T>(1.0 - u.beta2);
    const T sqrt_bc2 = static_cast<T>(std::sqrt(u.bias_correction2));
    const T eps = static_cast<T>(u.eps), step_size = static_cast<T>(u.step_size);
    const std::int64_t n = w.numel();
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i) {
      pm[i] = beta1 * pm[i] + one_minus_beta1 * pg[i];            // m = beta1 m + (1 - beta1) g
      pv[i] = beta2 * pv[i] + one_minus_beta2 * (pg[i] * pg[i]);  // v = beta2 v + (1 - beta2) g^2
      pw[i] -= step_size * (pm[i] / (std::sqrt(pv[i]) / sqrt_bc2 + eps));  // w -= step m / denom
    }
  });
  w.bump_version();
  m.bump_version();
  v.bump_version();
}

void adam_update_reference_(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, const AdamUpdate& u) {
  m.mul_(u.beta1).add_(g, 1.0 - u.beta1);      // m = beta1 m + (1 - beta1) g
  v.mul_(u.beta2).add_(g * g, 1.0 - u.beta2);  // v = beta2 v + (1 - beta2) g^2
  const Tensor denom = sqrt(v) / std::sqrt(u.bias_correction2) + u.eps;  // sqrt(v_hat) + eps
  w.add_(m / denom, -u.step_size);                                       // w = w - lr m_hat / denom
}

}  // namespace xtgrad
