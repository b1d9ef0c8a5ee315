#pragma once
// Elementwise arithmetic, math functions and comparisons.
//
// Binary operations broadcast their operands by NumPy's rules (see shape.hpp):
//   (N, D) + (D,)  -> (N, D)        adds a bias row to every sample
//   (N, 1) * (1, D) -> (N, D)
// Both operands must have the same dtype (DTypeError otherwise: convert with .to()).
// A double scalar takes the tensor's dtype: x * 0.5 stays float32 when x is.
// Math functions need a floating tensor; comparisons return boolean tensors.
#include "tensor/tensor.hpp"

namespace xtgrad {

// --- arithmetic ---------------------------------------------------------------------------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

// --- math functions (floating dtypes) ----------------------------------------------------------
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);    // log(0) = -inf, log(x < 0) = nan, as in NumPy
Tensor log1p(const Tensor& x);  // log(1 + x), accurate for small x
Tensor sqrt(const Tensor& x);
Tensor tanh(const Tensor& x);
// 1 / (1 + exp(-x)). NOTE: exp(-x) overflows to inf for x < -88 (float32); 1/inf = 0 is
// the right limit, so no special case is needed.
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);  // max(x, 0)
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);    // -1, 0 or 1
Tensor square(const Tensor& x);  // x * x
Tensor pow(const Tensor& x, double exponent);
Tensor pow(const Tensor& x, const Tensor& exponent);
// Limits every element to [low, high].
Tensor clamp(const Tensor& x, double low, double high);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
// condition ? a : b, elementwise; condition is boolean; all three broadcast together.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

// --- comparisons (boolean results) -----------------------------------------------------------
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);

// True when both have the same shape and every pair of elements satisfies
// |a - b| <= atol + rtol * |b| (NumPy's allclose): an infinity is close only to the same
// infinity, and NaNs are never close.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);

}  // namespace xtgrad
