// Printing tensors the way PyTorch prints them (torch/_tensor_str.py, default print options):
//
//   tensor([[1.0000, 2.5000],
//           [3.0000, 4.0000]])
//
// Float elements share one format, chosen from the nonzero finite values that are shown:
//   all integers                      1., 2.            (sci 1.0000e+09 if the range is wide)
//   otherwise                         1.2500            (4 decimals)
//   max/min > 1000, max > 1e8,
//   or min < 1e-4                     1.0000e-05
// and are right-aligned to a common width. Tensors over 1000 elements show only the first and
// last 3 entries of each long axis. Lines wrap at 80 characters.
// One difference from PyTorch: every dtype other than float32 is named (PyTorch omits int64
// and bool), with xtgrad's names: ", dtype=float64".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "tensor/io.hpp"

namespace xtgrad {
namespace {

constexpr std::int64_t kThreshold = 1000;  // more elements than this: summarise
constexpr std::int64_t kEdgeItems = 3;     // entries kept at each end of a summarised axis
constexpr std::int64_t kLineWidth = 80;
constexpr std::int64_t kEllipsis = -1;  // marks the "..." among shown indices

// Python's "{:.4e}", "{:.4f}" or "{:.0f}". NOTE: printf writes "-nan" for a NaN with its sign
// bit set; Python and PyTorch always write "nan".
std::string format_double(double v, const char* format) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];  // enough: fixed notation is chosen only for values up to 1e8
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

double double_at(const Tensor& t, std::int64_t i) {
  return t.dtype() == DType::float32 ? t.data<float>()[i] : t.data<double>()[i];
}

// Elements between neighbours along each axis, for contiguous row-major storage.
std::vector<std::int64_t> row_major_strides(const Shape& shape) {
  std::vector<std::int64_t> strides(shape.size(), 1);
  for (std::size_t a = shape.size(); a-- > 1;) strides[a - 1] = strides[a] * shape[a];
  return strides;
}

// The indices shown along an axis of `size`: all, or the first and last kEdgeItems around a
// kEllipsis when summarising.
std::vector<std::int64_t> shown(std::int64_t size, bool summarize) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0; i < size; ++i) {
    if (summarize && size > 2 * kEdgeItems && i == kEdgeItems) {
      out.push_back(kEllipsis);
      i = size - kEdgeItems;
    }
    out.push_back(i);
  }
  return out;
}

// Turns elements into strings of one common width (PyTorch's _Formatter).
class Formatter {
 public:
  // `flat` holds the (row-major) indices of the elements that will be printed.
  Formatter(const Tensor& t, const std::vector<std::int64_t>& flat);
  std::size_t width() const { return width_; }
  // The element at flat index i, right-aligned to width().
  std::string operator()(std::int64_t i) const {
    const std::string s = unpadded(i);
    return std::string(width_ - std::min(width_, s.size()), ' ') + s;
  }

 private:
  std::string unpadded(std::int64_t i) const;
  void choose_float_format(const std::vector<double>& nonzero_finite);

  const Tensor& t_;
  bool int_mode_ = true;   // floats that are all integers print as "3."
  bool sci_mode_ = false;  // "3.0000e+00"
  std::size_t width_ = 1;
};

Formatter::Formatter(const Tensor& t, const std::vector<std::int64_t>& flat) : t_(t) {
  if (!is_floating(t.dtype())) {
    for (std::int64_t i : flat) width_ = std::max(width_, unpadded(i).size());
    return;
  }
  std::vector<double> nonzero_finite;
  for (std::int64_t i : flat) {
    const double v = double_at(t, i);
    if (std::isfinite(v) && v != 0) nonzero_finite.push_back(v);
  }
  if (!nonzero_finite.empty()) choose_float_format(nonzero_finite);
}

void Formatter::choose_float_format(const std::vector<double>& values) {
  double lo = std::abs(values[0]), hi = lo;
  for (double v : values) {
    lo = std::min(lo, std::abs(v));
    hi = std::max(hi, std::abs(v));
    int_mode_ = int_mode_ && v == std::ceil(v);
  }
  // NOTE: PyTorch's rule: a wide range (or, for non-integers, tiny values) switches the whole
  // tensor to scientific notation, so that 4 fixed decimals never hide a value as 0.0000.
  sci_mode_ = hi / lo > 1000.0 || hi > 1.0e8 || (!int_mode_ && lo < 1.0e-4);
  for (double v : values) {
    const std::size_t len = sci_mode_   ? format_double(v, "%.4e").size()
                            : int_mode_ ? format_double(v, "%.0f").size() + 1  // + '.'
                                        : format_double(v, "%.4f").size();
    width_ = std::max(width_, len);
  }
}

std::string Formatter::unpadded(std::int64_t i) const {
  switch (t_.dtype()) {
    case DType::int64:
      return std::to_string(t_.data<std::int64_t>()[i]);
    case DType::boolean:
      return t_.data<bool>()[i] ? "True" : "False";
    default:
      break;
  }
  const double v = double_at(t_, i);
  if (sci_mode_) return format_double(v, "%.4e");
  if (!int_mode_) return format_double(v, "%.4f");
  return format_double(v, "%.0f") + (std::isfinite(v) ? "." : "");
}

// Nested brackets, one level per axis (PyTorch's _tensor_str_with_formatter).
class Printer {
 public:
  explicit Printer(const Tensor& t);
  // The text after "tensor(", whose continuation lines are indented by `indent`.
  std::string str(std::int64_t indent) const { return block(0, 0, indent); }

 private:
  std::vector<std::int64_t> shown_flat(std::size_t axis, std::int64_t offset) const;
  std::string block(std::size_t axis, std::int64_t offset, std::int64_t indent) const;
  std::string row(std::int64_t offset, std::int64_t indent) const;  // the last axis

  const Tensor& t_;
  bool summarize_;
  std::vector<std::int64_t> strides_;  // elements between neighbours along each axis
  Formatter format_;
};

Printer::Printer(const Tensor& t)
    : t_(t),
      summarize_(t.numel() > kThreshold),
      strides_(row_major_strides(t.shape())),
      format_(t, shown_flat(0, 0)) {}  // the members it uses are initialised above

// The flat indices of the elements shown in the block at `axis` that starts at `offset`.
std::vector<std::int64_t> Printer::shown_flat(std::size_t axis, std::int64_t offset) const {
  if (axis == strides_.size()) return {offset};
  std::vector<std::int64_t> out;
  for (std::int64_t i : shown(t_.shape()[axis], summarize_)) {
    if (i == kEllipsis) continue;
    const std::vector<std::int64_t> inner = shown_flat(axis + 1, offset + i * strides_[axis]);
    out.insert(out.end(), inner.begin(), inner.end());
  }
  return out;
}

std::string Printer::block(std::size_t axis, std::int64_t offset, std::int64_t indent) const {
  const std::size_t ndim = strides_.size();
  if (axis == ndim) return format_(offset);  // a 0-d tensor
  if (axis + 1 == ndim) return row(offset, indent);
  // Sub-blocks are separated by one newline per remaining axis: a blank line between the
  // matrices of a 3-d tensor.
  const std::string sep = "," + std::string(ndim - axis - 1, '\n') + std::string(indent + 1, ' ');
  std::string out = "[";
  for (std::int64_t i : shown(t_.shape()[axis], summarize_)) {
    if (out.size() > 1) out += sep;
    out += i == kEllipsis ? "..." : block(axis + 1, offset + i * strides_[axis], indent + 1);
  }
  return out + "]";
}

// One row, wrapped so that a line holds as many elements as fit in 80 characters.
std::string Printer::row(std::int64_t offset, std::int64_t indent) const {
  const auto element_len = static_cast<std::int64_t>(format_.width()) + 2;  // + ", "
  const std::int64_t per_line = std::max<std::int64_t>(1, (kLineWidth - indent) / element_len);
  const std::int64_t stride = strides_.back();
  std::string out = "[";
  std::int64_t on_line = 0;
  for (std::int64_t i : shown(t_.shape().back(), summarize_)) {
    if (on_line == per_line) {
      out += ",\n" + std::string(indent + 1, ' ');
      on_line = 0;
    } else if (on_line > 0) {
      out += ", ";
    }
    out += i == kEllipsis ? " ..." : format_(offset + i * stride);  // ",  ..., " as PyTorch
    ++on_line;
  }
  return out + "]";
}

// Appends ", dtype=..." and the like, on a new line when the last line would pass 80 characters
// (PyTorch's _add_suffixes, including its count of the last line's length).
std::string add_suffixes(std::string text, const std::vector<std::string>& suffixes,
                         std::int64_t indent) {
  const std::size_t newline = text.rfind('\n');
  auto last_line = static_cast<std::int64_t>(text.size()) -
                   (newline == std::string::npos ? -1 : static_cast<std::int64_t>(newline)) + 1;
  for (const std::string& suffix : suffixes) {
    const auto len = static_cast<std::int64_t>(suffix.size());
    if (last_line + len + 2 > kLineWidth) {
      text += ",\n" + std::string(indent, ' ') + suffix;
      last_line = indent + len;
    } else {
      text += ", " + suffix;
      last_line += len + 2;
    }
  }
  return text + ")";
}

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  const std::string prefix = "tensor(";
  const auto indent = static_cast<std::int64_t>(prefix.size());
  std::vector<std::string> suffixes;
  std::string body = "[]";
  if (t.numel() == 0) {
    if (t.dim() != 1) suffixes.push_back("size=" + shape_str(t.shape()));  // as NumPy does
  } else {
    body = Printer(t).str(indent);
  }
  if (t.dtype() != DType::float32) suffixes.push_back("dtype=" + dtype_name(t.dtype()));
  return add_suffixes(prefix + body, suffixes, indent);
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }

}  // namespace xtgrad
