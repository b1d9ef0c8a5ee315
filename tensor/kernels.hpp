#pragma once
// Private to tensor/ (not installed): the bridge from Tensor to xtensor.
//
// A kernel asks for a dtype dispatch, adapts the tensors' contiguous buffers as xtensor
// arrays (no copy), and assigns an xtensor expression into the result with xt::noalias.
// Build notes that apply here:
//  - never keep a lazy xtensor expression in `auto` beyond one statement;
//  - never use a lazy keep_dims reducer inside an expression (xtensor 0.24.3 computes wrong
//    values): reductions are evaluated immediately, and keepdim is a reshape afterwards.
#include <cstddef>
#include <vector>

#include <xtensor/xadapt.hpp>

#include "tensor/tensor.hpp"

namespace xtgrad::detail {

using XShape = std::vector<std::size_t>;

inline XShape xshape(const Shape& shape) { return XShape(shape.begin(), shape.end()); }

// An xtensor view of t's elements, with t's shape (no copy).
template <class T> auto xview(Tensor& t) {
  return xt::adapt(t.data<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(),
                   xshape(t.shape()));
}
template <class T> auto xview(const Tensor& t) {
  return xt::adapt(t.data<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(),
                   xshape(t.shape()));
}
// The same view reshaped to `shape` (used to broadcast an operand to a result's rank).
template <class T> auto xview(const Tensor& t, const Shape& shape) {
  return xt::adapt(t.data<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(),
                   xshape(shape));
}

// Calls f(T{}) with T = float or double, following t's dtype; DTypeError names `op` for the
// other dtypes.
template <class F> decltype(auto) dispatch_floating(const char* op, DType dtype, F&& f) {
  switch (dtype) {
    case DType::float32: return f(float{});
    case DType::float64: return f(double{});
    default:
      throw DTypeError(std::string(op) + ": expected a float32 or float64 tensor, got " +
                       dtype_name(dtype));
  }
}

// Calls f(T{}) for any dtype.
template <class F> decltype(auto) dispatch_all(DType dtype, F&& f) {
  switch (dtype) {
    case DType::float32: return f(float{});
    case DType::float64: return f(double{});
    case DType::int64: return f(std::int64_t{});
    case DType::boolean: break;
  }
  return f(bool{});
}

}  // namespace xtgrad::detail
