#pragma once
// Element types. float32 is the default (training); float64 is for gradient checks.
// int64 holds indices (argmax), boolean holds the results of comparisons.
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace xtgrad {

enum class DType { float32, float64, int64, boolean };

// "float32", "float64", "int64", "bool" (NumPy's and PyTorch's names).
std::string dtype_name(DType dtype);
std::ostream& operator<<(std::ostream& os, DType dtype);

// Bytes per element: 4, 8, 8, 1.
constexpr std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::float32:
      return 4;
    case DType::float64:
      return 8;
    case DType::int64:
      return 8;
    case DType::boolean:
      return 1;
  }
  return 0;
}

constexpr bool is_floating(DType dtype) {
  return dtype == DType::float32 || dtype == DType::float64;
}

// The DType of a C++ element type: dtype_of<float>() == DType::float32.
template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::float32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::float64;
}
template <>
constexpr DType dtype_of<std::int64_t>() {
  return DType::int64;
}
template <>
constexpr DType dtype_of<bool>() {
  return DType::boolean;
}

}  // namespace xtgrad
