// Making tensors from sizes, ranges and literal values. Plain loops, no xtensor.
#include "tensor/creation.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace xtgrad {

Tensor full(const Shape& shape, double value, DType dtype) {
  check_shape("full", shape);
  return Tensor::empty(shape, dtype).fill_(value);
}

Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }

Tensor zeros_like(const Tensor& like) { return full(like.shape(), 0.0, like.dtype()); }
Tensor ones_like(const Tensor& like) { return full(like.shape(), 1.0, like.dtype()); }
Tensor full_like(const Tensor& like, double value) {
  return full(like.shape(), value, like.dtype());
}

Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

namespace {

// Values first, first + step, ... written as `dtype` (computed in double, then converted).
Tensor from_formula(std::int64_t count, DType dtype,
                    double (*value_at)(double, double, std::int64_t), double a, double b) {
  std::vector<double> values(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) values[static_cast<std::size_t>(i)] = value_at(a, b, i);
  return Tensor(values, {count}).to(dtype);
}

}  // namespace

Tensor arange(double start, double stop, double step, DType dtype) {
  if (step == 0.0 || !std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step)) {
    throw ValueError("arange: start, stop and step must be finite and step non-zero, got (" +
                     std::to_string(start) + ", " + std::to_string(stop) + ", " +
                     std::to_string(step) + ")");
  }
  // NumPy's count: ceil((stop - start) / step), at least 0.
  const double n = std::ceil((stop - start) / step);
  const std::int64_t count = n > 0 ? static_cast<std::int64_t>(n) : 0;
  return from_formula(
      count, dtype,
      [](double s, double d, std::int64_t i) { return s + d * static_cast<double>(i); }, start,
      step);
}

Tensor linspace(double start, double stop, std::int64_t count, DType dtype) {
  if (count < 0) {
    throw ValueError("linspace: count must not be negative, got " + std::to_string(count));
  }
  if (count == 1) {
    return full({1}, start, dtype);
  }
  const double step = count > 1 ? (stop - start) / static_cast<double>(count - 1) : 0.0;
  Tensor t = from_formula(
      count, DType::float64,
      [](double s, double d, std::int64_t i) { return s + d * static_cast<double>(i); }, start,
      step);
  if (count > 1) {
    t.data<double>()[count - 1] = stop;  // exact end point, as NumPy
  }
  return t.to(dtype);
}

Tensor eye(std::int64_t n, DType dtype) {
  if (n < 0) {
    throw ValueError("eye: size must not be negative, got " + std::to_string(n));
  }
  std::vector<double> values(static_cast<std::size_t>(n * n), 0.0);
  for (std::int64_t i = 0; i < n; ++i) values[static_cast<std::size_t>(i * n + i)] = 1.0;
  return Tensor(values, {n, n}).to(dtype);
}

Tensor tensor(std::initializer_list<double> values, DType dtype) {
  return Tensor(std::vector<double>(values), {static_cast<std::int64_t>(values.size())}).to(dtype);
}

namespace {

// Appends the rows of a nested list to `flat`; all rows must have `width` values.
void append_rows(std::initializer_list<std::initializer_list<double>> rows, std::size_t width,
                 std::vector<double>& flat) {
  for (const auto& row : rows) {
    if (row.size() != width) {
      throw ShapeError("tensor: rows of unequal length (" + std::to_string(width) + " and " +
                       std::to_string(row.size()) + ")");
    }
    flat.insert(flat.end(), row.begin(), row.end());
  }
}

}  // namespace

Tensor tensor(std::initializer_list<std::initializer_list<double>> values, DType dtype) {
  const std::size_t width = values.size() == 0 ? 0 : values.begin()->size();
  std::vector<double> flat;
  append_rows(values, width, flat);
  return Tensor(flat, {static_cast<std::int64_t>(values.size()), static_cast<std::int64_t>(width)})
      .to(dtype);
}

Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<double>>> values,
              DType dtype) {
  const std::size_t rows = values.size() == 0 ? 0 : values.begin()->size();
  const std::size_t width = rows == 0 ? 0 : values.begin()->begin()->size();
  std::vector<double> flat;
  for (const auto& block : values) {
    if (block.size() != rows) {
      throw ShapeError("tensor: blocks of unequal length (" + std::to_string(rows) + " and " +
                       std::to_string(block.size()) + " rows)");
    }
    append_rows(block, width, flat);
  }
  return Tensor(flat, {static_cast<std::int64_t>(values.size()), static_cast<std::int64_t>(rows),
                       static_cast<std::int64_t>(width)})
      .to(dtype);
}

}  // namespace xtgrad
