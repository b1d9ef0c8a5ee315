#include "tensor/shape.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

#include "tensor/errors.hpp"

namespace xtgrad {

std::string shape_str(const Shape& shape) {
  std::ostringstream os;
  os << '(';
  for (std::size_t i = 0; i < shape.size(); ++i) {
    os << (i ? ", " : "") << shape[i];
  }
  os << (shape.size() == 1 ? ",)" : ")");
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape_str(shape); }

namespace {

// The product of the sizes, or false when it does not fit in int64. A size 0 anywhere makes
// the product 0 but the other sizes must still multiply without overflow (as in NumPy).
bool checked_numel(const Shape& shape, std::int64_t& numel) {
  std::int64_t nonzero = 1;
  bool empty = false;
  for (std::int64_t s : shape) {
    if (s == 0) {
      empty = true;
    } else if (__builtin_mul_overflow(nonzero, s, &nonzero)) {
      return false;
    }
  }
  numel = empty ? 0 : nonzero;
  return true;
}

}  // namespace

std::int64_t shape_numel(const Shape& shape) {
  std::int64_t n = 0;
  if (!checked_numel(shape, n)) {
    throw ValueError("shape " + shape_str(shape) + " has more elements than an int64 can count");
  }
  return n;
}

std::int64_t check_shape(const char* op, const Shape& shape) {
  for (std::int64_t s : shape) {
    if (s < 0) {
      throw ValueError(std::string(op) + ": sizes must not be negative, got shape " +
                       shape_str(shape));
    }
  }
  std::int64_t n = 0;
  if (!checked_numel(shape, n)) {
    throw ValueError(std::string(op) + ": shape " + shape_str(shape) +
                     " has more elements than an int64 can count");
  }
  return n;
}

std::int64_t normalize_axis(const char* op, std::int64_t axis, std::int64_t ndim) {
  if (axis < -ndim || axis >= ndim) {
    throw IndexError(std::string(op) + ": axis " + std::to_string(axis) +
                     " is out of range for a tensor with " + std::to_string(ndim) +
                     (ndim == 1 ? " axis" : " axes"));
  }
  return axis < 0 ? axis + ndim : axis;
}

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    // Align on the right: missing leading axes count as size 1.
    std::int64_t sa = i < n - a.size() ? 1 : a[i - (n - a.size())];
    std::int64_t sb = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (sa != sb && sa != 1 && sb != 1) {
      throw ShapeError(std::string(op) + ": cannot broadcast shapes " + shape_str(a) + " and " +
                       shape_str(b) + ": sizes " + std::to_string(sa) + " and " +
                       std::to_string(sb) + " differ at axis " + std::to_string(i));
    }
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

}  // namespace xtgrad
