// Reductions over all elements or over axes.
//
// NOTE (xtensor 0.24.3): a lazy reducer with keep_dims used inside a broadcasting expression
// silently computes wrong values. So every reduction here is evaluated immediately
// (xt::evaluation_strategy::immediate, also faster along non-contiguous axes) into a
// result without the reduced axes; keepdim is then only a reshape of that result.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>

#include <xtensor/xnoalias.hpp>
#include <xtensor/xreducer.hpp>

#include "tensor/fused.hpp"
#include "tensor/kernels.hpp"
#include "tensor/math.hpp"
#include "tensor/reduce.hpp"

namespace xtgrad {

using detail::dispatch_floating;
using detail::xview;

namespace {

// The axes to reduce, in [0, ndim), sorted, without repeats (IndexError otherwise).
detail::XShape reduction_axes(const char* op, const Tensor& x, const Axes& axes) {
  detail::XShape out;
  for (std::int64_t a : axes) {
    out.push_back(static_cast<std::size_t>(normalize_axis(op, a, x.dim())));
  }
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    throw IndexError(std::string(op) + ": axis listed twice in " + shape_str(axes));
  }
  return out;
}

// x's shape with the reduced axes removed (keepdim false) or set to 1 (keepdim true).
Shape reduced_shape(const Shape& shape, const detail::XShape& axes, bool keepdim) {
  Shape out;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!reduced) {
      out.push_back(shape[i]);
    } else if (keepdim) {
      out.push_back(1);
    }
  }
  return out;
}

// out = reducer(x, axes) for a floating x; reducer returns an evaluated xtensor container.
template <class Reducer>
Tensor reduce(const char* op, const Tensor& x, const Axes& axes, bool keepdim, Reducer reducer) {
  check_floating(op, x);
  const detail::XShape ax = reduction_axes(op, x, axes);
  Tensor out = Tensor::empty(reduced_shape(x.shape(), ax, false), x.dtype());
  dispatch_floating(op, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto xx = xview<T>(x);
    auto xo = xview<T>(out);
    if (x.numel() == 0) {
      xo.fill(T(0));  // NOTE: xtensor leaves an empty reduction uninitialised; 0 is sum's identity
    } else {
      xt::noalias(xo) = reducer(xx, ax);
    }
  });
  return keepdim ? out.reshape(reduced_shape(x.shape(), ax, true)) : out;
}

Axes all_axes(const Tensor& x) {
  Axes axes(static_cast<std::size_t>(x.dim()));
  for (std::int64_t i = 0; i < x.dim(); ++i) axes[static_cast<std::size_t>(i)] = i;
  return axes;
}

// Number of elements that each output element of a reduction over `axes` combines.
std::int64_t reduced_count(const Tensor& x, const Axes& axes) {
  std::int64_t n = 1;
  for (std::size_t a : reduction_axes("mean", x, axes)) n *= x.shape()[a];
  return n;
}

// The larger and the smaller of two values, where a NaN in either position wins (as in
// PyTorch: the max or min of a slice that holds a NaN is NaN).
// NOTE: std::max and xt::amax keep a NaN in one position and drop it in the other, and
// xt::amax starts from numeric_limits::lowest(), so the max of {-inf, -inf} came out as
// -DBL_MAX. max and min fold these two instead, starting from -inf and +inf.
template <class T>
T nan_max(T a, T b) {
  return (a > b || std::isnan(a)) ? a : b;
}
template <class T>
T nan_min(T a, T b) {
  return (a < b || std::isnan(a)) ? a : b;
}

// f folded over the axes of v, starting from `initial` (f's identity), evaluated immediately.
template <class T, class F, class X, class Ax>
auto fold(F f, T initial, X& v, const Ax& ax) {
  return xt::reduce(xt::make_xreducer_functor(f, xt::const_value<T>(initial)), v, ax,
                    xt::evaluation_strategy::immediate);
}

// max and min of nothing are undefined.
void check_nonempty(const char* op, const Tensor& x, const Axes& axes) {
  check_defined(op, x);
  if (reduced_count(x, axes) == 0) {
    throw ValueError(std::string(op) + ": cannot reduce over an empty axis of shape " +
                     shape_str(x.shape()));
  }
}

}  // namespace

Tensor sum(const Tensor& x) { return sum(x, all_axes(x), false); }

Tensor sum(const Tensor& x, const Axes& axes, bool keepdim) {
  check_floating("sum", x);
  const detail::XShape ax = reduction_axes("sum", x, axes);
  // Leading axes (0, 1, ..., k - 1), all axes included: a fused loop over rows, in float64.
  // NOTE: xt::sum adds float32 in float32: 7.84 million pixels of Fashion-MNIST summed 0.48 %
  // low that way. The other axes (rare: softmax's last axis) still go through xt::sum.
  bool leading = true;
  for (std::size_t i = 0; i < ax.size(); ++i) leading = leading && ax[i] == i;
  if (leading) {
    Tensor out = sum_leading_axes(x, static_cast<std::int64_t>(ax.size()));
    return keepdim ? out.reshape(reduced_shape(x.shape(), ax, true)) : out;
  }
  return reduce("sum", x, axes, keepdim, [](auto& v, const auto& ax) {
    return xt::sum(v, ax, xt::evaluation_strategy::immediate);
  });
}

Tensor mean(const Tensor& x) { return mean(x, all_axes(x), false); }

Tensor mean(const Tensor& x, const Axes& axes, bool keepdim) {
  // mean = sum / count; a mean over nothing is nan (0 / 0), as in NumPy and PyTorch.
  Tensor s = sum(x, axes, keepdim);
  return s.mul_(1.0 / static_cast<double>(reduced_count(x, axes)));
}

Tensor max(const Tensor& x) { return max(x, all_axes(x), false); }

Tensor max(const Tensor& x, const Axes& axes, bool keepdim) {
  check_nonempty("max", x, axes);
  return reduce("max", x, axes, keepdim, [](auto& v, const auto& ax) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    return fold(nan_max<T>, -std::numeric_limits<T>::infinity(), v, ax);
  });
}

Tensor min(const Tensor& x) { return min(x, all_axes(x), false); }

Tensor min(const Tensor& x, const Axes& axes, bool keepdim) {
  check_nonempty("min", x, axes);
  return reduce("min", x, axes, keepdim, [](auto& v, const auto& ax) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    return fold(nan_min<T>, std::numeric_limits<T>::infinity(), v, ax);
  });
}

Tensor argmax(const Tensor& x) { return argmax(x.reshape({-1}), 0, false).reshape({}); }

Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdim) {
  check_floating("argmax", x);
  const auto a = normalize_axis("argmax", axis, x.dim());
  check_nonempty("argmax", x, {a});
  Tensor out =
      Tensor::empty(reduced_shape(x.shape(), {static_cast<std::size_t>(a)}, false), DType::int64);
  // View x as (outer, n, inner) with n = the size of the axis; search along n.
  // NOTE: outer and inner are products of sizes, never a quotient: either may be 0.
  const Shape& shape = x.shape();
  const std::int64_t n = shape[static_cast<std::size_t>(a)];
  const std::int64_t outer =
      std::accumulate(shape.begin(), shape.begin() + a, std::int64_t{1}, std::multiplies<>());
  const std::int64_t inner =
      std::accumulate(shape.begin() + a + 1, shape.end(), std::int64_t{1}, std::multiplies<>());
  std::int64_t* best = out.data<std::int64_t>();
  dispatch_floating("argmax", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = x.data<T>();
    for (std::int64_t o = 0; o < outer; ++o) {
      for (std::int64_t i = 0; i < inner; ++i) {
        const T* column = p + o * n * inner + i;
        std::int64_t arg = 0;
        // NaN counts as the largest value: the search stops at the first one.
        for (std::int64_t j = 1; j < n && !std::isnan(column[arg * inner]); ++j) {
          const T v = column[j * inner];
          if (v > column[arg * inner] || std::isnan(v)) arg = j;  // first maximum wins ties
        }
        best[o * inner + i] = arg;
      }
    }
  });
  return keepdim ? out.unsqueeze(a) : out;
}

Tensor var(const Tensor& x, const Axes& axes, bool keepdim, std::int64_t correction) {
  // var = sum((x - mean)^2) / (n - correction), with the mean kept broadcastable.
  Tensor centred = x - mean(x, axes, true);
  Tensor ss = sum(square(centred), axes, keepdim);
  return ss.mul_(1.0 / static_cast<double>(reduced_count(x, axes) - correction));
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  check_defined("sum_to", x);
  if (broadcast_shapes("sum_to", x.shape(), shape) != x.shape()) {
    throw ShapeError("sum_to: cannot sum shape " + shape_str(x.shape()) + " down to " +
                     shape_str(shape) + " (it does not broadcast to " + shape_str(x.shape()) + ")");
  }
  if (x.shape() == shape) {
    return x;
  }
  // Sum the leading axes that broadcasting added, and the axes where `shape` has size 1.
  const std::int64_t lead = x.dim() - static_cast<std::int64_t>(shape.size());
  Axes axes;
  for (std::int64_t i = 0; i < x.dim(); ++i) {
    if (i < lead || (shape[static_cast<std::size_t>(i - lead)] == 1 &&
                     x.shape()[static_cast<std::size_t>(i)] != 1)) {
      axes.push_back(i);
    }
  }
  return sum(x, axes, false).reshape(shape);
}

}  // namespace xtgrad
