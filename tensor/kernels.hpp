#pragma once
// Private to tensor/ (not installed): the bridge from Tensor to xtensor.
//
// A kernel asks for a dtype dispatch, adapts the tensors' contiguous buffers as xtensor
// arrays (no copy), and assigns an xtensor expression into the result with xt::noalias.
// Build notes that apply here:
//  - never keep a lazy xtensor expression in `auto` beyond one statement;
//  - never use a lazy keep_dims reducer inside an expression (xtensor 0.24.3 computes wrong
//    values): reductions are evaluated immediately, and keepdim is a reshape afterwards.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xstorage.hpp>

#include "tensor/tensor.hpp"

namespace xtgrad::detail {

// An xtensor shape held inline for up to 6 axes, like Shape: an xtensor view adapted with it
// keeps its shape, strides and backstrides inside the object (no allocation).
using XShape = xt::svector<std::size_t, DimVector::inline_capacity>;

inline XShape xshape(const Shape& shape) { return XShape(shape.begin(), shape.end()); }

// An xtensor view of t's elements, with t's shape (no copy).
template <class T>
auto xview(Tensor& t) {
  return xt::adapt(t.data<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(),
                   xshape(t.shape()));
}
template <class T>
auto xview(const Tensor& t) {
  return xt::adapt(t.data<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(),
                   xshape(t.shape()));
}
// The same view reshaped to `shape` (used to broadcast an operand to a result's rank).
template <class T>
auto xview(const Tensor& t, const Shape& shape) {
  return xt::adapt(t.data<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(),
                   xshape(shape));
}

// t's elements as one flat row (rank 1, no copy), for kernels in which an element of the result
// depends only on the elements at the same position (no broadcasting).
// NOTE: the rank-1 view keeps its shape and strides in std::arrays inside the object, while
// xview's std::vector shape, strides and backstrides are three allocations per operand, per
// call (bench/README.md, attempt 5, measures their cost on the tape).
template <class T>
auto flat_view(Tensor& t) {
  return xt::adapt(t.data<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(),
                   std::array<std::size_t, 1>{static_cast<std::size_t>(t.numel())});
}
template <class T>
auto flat_view(const Tensor& t) {
  return xt::adapt(t.data<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(),
                   std::array<std::size_t, 1>{static_cast<std::size_t>(t.numel())});
}

// Calls f(T{}) with T = float or double, following t's dtype; DTypeError names `op` for the
// other dtypes.
template <class F>
decltype(auto) dispatch_floating(const char* op, DType dtype, F&& f) {
  switch (dtype) {
    case DType::float32:
      return f(float{});
    case DType::float64:
      return f(double{});
    default:
      throw DTypeError(std::string(op) + ": expected a float32 or float64 tensor, got " +
                       dtype_name(dtype));
  }
}

// Calls f(T{}) for any dtype.
template <class F>
decltype(auto) dispatch_all(DType dtype, F&& f) {
  switch (dtype) {
    case DType::float32:
      return f(float{});
    case DType::float64:
      return f(double{});
    case DType::int64:
      return f(std::int64_t{});
    case DType::boolean:
      break;
  }
  return f(bool{});
}

// Calls f(i, index) for every element i of `out`, the broadcast of the shapes `in`, in
// row-major order; index[n] is the flat index of the element of operand n that meets there.
// A plain loop, for kernels that xsimd 8 gets wrong (see elementwise.cpp); tests compare it
// with a scalar reference at every broadcast pattern.
//   out (2, 3) from (2, 3) and (3,):  f(0,{0,0}) f(1,{1,1}) f(2,{2,2}) f(3,{3,0}) f(4,{4,1}) ...
template <std::size_t N, class F>
void for_each_broadcast(const Shape& out, const std::array<Shape, N>& in, F&& f) {
  const std::size_t rank = out.size();
  // stride[k][n]: operand n's stride along out's axis k; 0 where n is broadcast along it.
  std::vector<std::array<std::int64_t, N>> stride(rank);
  for (std::size_t n = 0; n < N; ++n) {
    std::int64_t step = 1;
    for (std::size_t k = 0; k < rank; ++k) {
      const std::size_t axis = rank - 1 - k;
      const bool present = k < in[n].size();
      const std::int64_t size = present ? in[n][in[n].size() - 1 - k] : 1;
      stride[axis][n] = (size == 1 && out[axis] != 1) || !present ? 0 : step;
      step *= size;
    }
  }
  if (shape_numel(out) == 0) return;
  std::array<std::int64_t, N> index{};  // operands' flat indices at the current element
  if (rank == 0) {
    f(std::int64_t{0}, index);
    return;
  }
  const std::int64_t inner = out[rank - 1];
  std::vector<std::int64_t> position(rank, 0);  // an odometer over every axis but the last
  for (std::int64_t i = 0;; i += inner) {
    std::array<std::int64_t, N> at = index;
    for (std::int64_t j = 0; j < inner; ++j) {
      f(i + j, at);
      for (std::size_t n = 0; n < N; ++n) at[n] += stride[rank - 1][n];
    }
    // Next row: advance the odometer over axes rank-2 .. 0, carrying like a counter.
    std::size_t k = rank - 1;
    while (true) {
      if (k == 0) return;
      --k;
      for (std::size_t n = 0; n < N; ++n) index[n] += stride[k][n];
      if (++position[k] < out[k]) break;
      for (std::size_t n = 0; n < N; ++n) index[n] -= stride[k][n] * out[k];
      position[k] = 0;
    }
  }
}

}  // namespace xtgrad::detail
