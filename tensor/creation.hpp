#pragma once
// Making tensors from sizes, ranges and literal values.
//
//   zeros({2, 3})                       // float32 (2, 3) of 0
//   full({3}, 0.5, DType::float64)      // (3,) of 0.5
//   arange(0, 10, 2)                    // [0, 2, 4, 6, 8]
//   linspace(0, 1, 5)                   // [0, 0.25, 0.5, 0.75, 1]
//   tensor({{1, 2}, {3, 4}})            // (2, 2) from nested braces
#include <initializer_list>

#include "tensor/tensor.hpp"

namespace xtgrad {

Tensor zeros(const Shape& shape, DType dtype = DType::float32);
Tensor ones(const Shape& shape, DType dtype = DType::float32);
Tensor full(const Shape& shape, double value, DType dtype = DType::float32);
// Same shape and dtype as `like`.
Tensor zeros_like(const Tensor& like);
Tensor ones_like(const Tensor& like);
Tensor full_like(const Tensor& like, double value);

// Values start, start + step, ... up to but excluding stop (NumPy's arange).
Tensor arange(double start, double stop, double step = 1.0, DType dtype = DType::float32);
// `count` values evenly spaced from start to stop, both included.
Tensor linspace(double start, double stop, std::int64_t count, DType dtype = DType::float32);
// The n x n identity matrix.
Tensor eye(std::int64_t n, DType dtype = DType::float32);

// A 0-d tensor holding one value.
Tensor scalar_tensor(double value, DType dtype = DType::float32);
// Tensors from nested braces (1-d to 3-d); rows of unequal length throw ShapeError.
// NOTE: C++ cannot tell {{1}, {2}} (a column) from a 1-d list of braced numbers, so the
// call is ambiguous; write tensor({1, 2}).reshape({2, 1}) for a column.
Tensor tensor(std::initializer_list<double> values, DType dtype = DType::float32);
Tensor tensor(std::initializer_list<std::initializer_list<double>> values,
              DType dtype = DType::float32);
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<double>>> values,
              DType dtype = DType::float32);

}  // namespace xtgrad
