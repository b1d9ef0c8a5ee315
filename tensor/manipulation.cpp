// Transpose, permute, concatenate, stack, broadcast_to and row gathering.
//
// Tensors are contiguous, so joining and gathering are block copies: a tensor of shape
// (A..., n, B...) is `outer` = prod(A) blocks, each holding n * prod(B) elements.
#include <cstring>
#include <numeric>
#include <string>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xnoalias.hpp>

#include "tensor/kernels.hpp"
#include "tensor/manipulation.hpp"

namespace xtgrad {

using detail::dispatch_all;
using detail::xview;

namespace {

std::size_t byte_size(const Tensor& t) { return dtype_size(t.dtype()); }

// Untyped pointer to t's first element (all dtypes).
const char* bytes_of(const Tensor& t) {
  const char* p = nullptr;
  dispatch_all(t.dtype(),
               [&](auto tag) { p = reinterpret_cast<const char*>(t.data<decltype(tag)>()); });
  return p;
}
char* bytes_of(Tensor& t) { return const_cast<char*>(bytes_of(static_cast<const Tensor&>(t))); }

}  // namespace

Tensor Tensor::permute(const Axes& axes) const {
  check_defined("permute", *this);
  if (static_cast<std::int64_t>(axes.size()) != dim()) {
    throw ShapeError("permute: " + shape_str(axes) + " does not list the " + std::to_string(dim()) +
                     " axes of shape " + shape_str(shape()));
  }
  detail::XShape perm;
  DimVector seen(axes.size(), 0);  // 1 where an axis was listed
  Shape out_shape;
  for (std::int64_t a : axes) {
    const auto i = static_cast<std::size_t>(normalize_axis("permute", a, dim()));
    if (seen[i]) {
      throw ShapeError("permute: axis " + std::to_string(a) + " is listed twice in " +
                       shape_str(axes));
    }
    seen[i] = 1;
    perm.push_back(i);
    out_shape.push_back(shape()[i]);
  }
  // [book:permute_kernel]
  Tensor out = empty(out_shape, dtype());
  dispatch_all(dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto xx = xview<T>(*this);
    auto xo = xview<T>(out);
    xt::noalias(xo) = xt::transpose(xx, perm);
  });
  return out;
  // [/book:permute_kernel]
}

Tensor Tensor::transpose() const {
  check_defined("transpose", *this);
  if (dim() != 2) {
    throw ShapeError("transpose: without axes it needs a 2-d tensor, got shape " +
                     shape_str(shape()) + " (use transpose(axis0, axis1))");
  }
  return permute({1, 0});
}

Tensor Tensor::transpose(std::int64_t axis0, std::int64_t axis1) const {
  check_defined("transpose", *this);
  Axes axes(static_cast<std::size_t>(dim()));
  std::iota(axes.begin(), axes.end(), 0);
  std::swap(axes[static_cast<std::size_t>(normalize_axis("transpose", axis0, dim()))],
            axes[static_cast<std::size_t>(normalize_axis("transpose", axis1, dim()))]);
  return permute(axes);
}

Tensor concatenate(const std::vector<Tensor>& tensors, std::int64_t axis) {
  if (tensors.empty()) {
    throw ValueError("concatenate: needs at least one tensor");
  }
  const Tensor& first = tensors.front();
  check_defined("concatenate", first);
  if (first.dim() == 0) {
    throw ShapeError("concatenate: 0-d tensors have no axis to join along (use stack)");
  }
  const auto a = static_cast<std::size_t>(normalize_axis("concatenate", axis, first.dim()));
  Shape out_shape = first.shape();
  out_shape[a] = 0;
  for (const Tensor& t : tensors) {
    check_same_dtype("concatenate", first, t);
    Shape expected = first.shape();
    expected[a] = t.dim() == first.dim() ? t.shape()[a] : -1;
    if (t.shape() != expected) {
      throw ShapeError("concatenate: shapes " + shape_str(first.shape()) + " and " +
                       shape_str(t.shape()) + " differ outside axis " + std::to_string(axis));
    }
    out_shape[a] += t.shape()[a];
  }
  Tensor out = Tensor::empty(out_shape, first.dtype());
  // outer blocks: the product of the sizes before the axis.
  const std::int64_t outer = std::accumulate(out_shape.begin(), out_shape.begin() + a,
                                             std::int64_t{1}, std::multiplies<>());
  const std::size_t out_block =
      static_cast<std::size_t>(out.numel() / std::max<std::int64_t>(outer, 1)) * byte_size(out);
  char* dst = bytes_of(out);
  std::size_t column = 0;  // byte offset of the current input inside each output block
  for (const Tensor& t : tensors) {
    const std::size_t block =
        static_cast<std::size_t>(t.numel() / std::max<std::int64_t>(outer, 1)) * byte_size(t);
    const char* src = bytes_of(t);
    for (std::int64_t o = 0; o < outer && block > 0; ++o) {
      std::memcpy(dst + static_cast<std::size_t>(o) * out_block + column,
                  src + static_cast<std::size_t>(o) * block, block);
    }
    column += block;
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis) {
  if (tensors.empty()) {
    throw ValueError("stack: needs at least one tensor");
  }
  check_defined("stack", tensors.front());
  const std::int64_t a = normalize_axis("stack", axis, tensors.front().dim() + 1);
  std::vector<Tensor> expanded;
  for (const Tensor& t : tensors) {
    check_defined("stack", t);
    if (t.shape() != tensors.front().shape()) {
      throw ShapeError("stack: all tensors need the same shape, got " +
                       shape_str(tensors.front().shape()) + " and " + shape_str(t.shape()));
    }
    expanded.push_back(t.unsqueeze(a));
  }
  return concatenate(expanded, a);
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  check_defined("broadcast_to", x);
  check_shape("broadcast_to", shape);
  if (broadcast_shapes("broadcast_to", x.shape(), shape) != shape) {
    throw ShapeError("broadcast_to: cannot broadcast shape " + shape_str(x.shape()) + " to " +
                     shape_str(shape));
  }
  Tensor out = Tensor::empty(shape, x.dtype());
  return out.copy_(x);
}

Tensor gather_rows(const Tensor& x, const std::vector<std::int64_t>& rows) {
  check_defined("gather_rows", x);
  if (x.dim() == 0) {
    throw ShapeError("gather_rows: a 0-d tensor has no rows");
  }
  Shape shape = x.shape();
  shape[0] = static_cast<std::int64_t>(rows.size());
  Tensor out = Tensor::empty(shape, x.dtype());
  gather_rows_into(out, x, rows);
  return out;
}

void gather_rows_into(Tensor& out, const Tensor& x, const std::vector<std::int64_t>& rows) {
  check_same_dtype("gather_rows_into", out, x);
  Shape expected = x.shape();
  if (x.dim() == 0) {
    throw ShapeError("gather_rows_into: a 0-d tensor has no rows");
  }
  expected[0] = static_cast<std::int64_t>(rows.size());
  if (out.shape() != expected) {
    throw ShapeError("gather_rows_into: gathering " + std::to_string(rows.size()) +
                     " rows of shape " + shape_str(x.shape()) + " needs an output of shape " +
                     shape_str(expected) + ", got " + shape_str(out.shape()));
  }
  const std::int64_t n = x.shape()[0];
  const std::size_t row_bytes = n == 0 ? 0 : static_cast<std::size_t>(x.numel() / n) * byte_size(x);
  const char* src = bytes_of(x);
  char* dst = bytes_of(out);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= n) {
      throw IndexError("gather_rows: row index " + std::to_string(rows[i]) + " (position " +
                       std::to_string(i) + ") is out of range for shape " + shape_str(x.shape()));
    }
    std::memcpy(dst + i * row_bytes, src + static_cast<std::size_t>(rows[i]) * row_bytes,
                row_bytes);
  }
  out.bump_version();
}

}  // namespace xtgrad
