// Max pooling and nearest-neighbour upsampling: loops over the pixels of each (H, W) plane.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "tensor/kernels.hpp"
#include "tensor/pooling.hpp"

namespace xtgrad {

namespace {

std::string pair_str(Pair p) {
  return "(" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ")";
}

void check_images(const char* op, const Tensor& x) {
  check_defined(op, x);
  check_floating(op, x);
  if (x.dim() != 4) {
    throw ShapeError(std::string(op) + ": the input must be 4-d (N, C, H, W), got " +
                     shape_str(x.shape()));
  }
}

// PyTorch's pooling output size: floor or ceil of (H + 2p - k) / s, plus 1; with ceil_mode,
// a last window that would start in the right padding is dropped.
std::int64_t pool_out_size(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t p,
                           bool ceil_mode) {
  const std::int64_t room = in + 2 * p - k;
  std::int64_t out = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;
  return out;
}

// The int64 indices of max pooling, (N, C, Ho, Wo), checked against the input's shape.
void check_indices(const char* op, const Tensor& indices, const Shape& x_shape) {
  check_defined(op, indices);
  if (indices.dtype() != DType::int64) {
    throw DTypeError(std::string(op) + ": the indices must be int64, got " +
                     dtype_name(indices.dtype()));
  }
  if (indices.dim() != 4 || x_shape.size() != 4 || x_shape[0] != indices.size(0) ||
      x_shape[1] != indices.size(1)) {
    throw ShapeError(std::string(op) + ": indices " + shape_str(indices.shape()) +
                     " do not belong to an input of shape " + shape_str(x_shape));
  }
}

// Calls f(plane, i, index) for every pooled element i of every (N, C) plane, where index is the
// flat position h W + w in the plane; IndexError when it is outside the plane.
template <class F>
void for_each_index(const char* op, const Tensor& indices, const Shape& x_shape, F&& f) {
  const std::int64_t planes = x_shape[0] * x_shape[1];
  const std::int64_t plane_size = x_shape[2] * x_shape[3];
  const std::int64_t pooled = indices.size(2) * indices.size(3);
  const std::int64_t* index = indices.data<std::int64_t>();
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    for (std::int64_t i = 0; i < pooled; ++i, ++index) {
      if (*index < 0 || *index >= plane_size) {
        throw IndexError(std::string(op) + ": index " + std::to_string(*index) +
                         " is outside a plane of " + shape_str(x_shape));
      }
      f(plane, i, *index);
    }
  }
}

}  // namespace

MaxPool2dResult max_pool2d(const Tensor& x, const MaxPool2dParams& params) {
  const char* op = "max_pool2d";
  check_images(op, x);
  const Pair k = params.kernel, p = params.padding;
  const Pair s{params.stride[0] == 0 ? k[0] : params.stride[0],
               params.stride[1] == 0 ? k[1] : params.stride[1]};
  if (k[0] < 1 || k[1] < 1 || s[0] < 1 || s[1] < 1) {
    throw ValueError(std::string(op) + ": the kernel " + pair_str(k) + " and the stride " +
                     pair_str(s) + " must be at least 1");
  }
  if (p[0] < 0 || p[1] < 0 || 2 * p[0] > k[0] || 2 * p[1] > k[1]) {
    throw ValueError(std::string(op) + ": the padding " + pair_str(p) +
                     " must be between 0 and half the kernel " + pair_str(k));
  }
  const std::int64_t height = x.size(2), width = x.size(3);
  if (height + 2 * p[0] < k[0] || width + 2 * p[1] < k[1]) {
    throw ShapeError(std::string(op) + ": input " + shape_str(x.shape()) + " padded by " +
                     pair_str(p) + " is smaller than the kernel " + pair_str(k));
  }
  const std::int64_t out_h = pool_out_size(height, k[0], s[0], p[0], params.ceil_mode);
  const std::int64_t out_w = pool_out_size(width, k[1], s[1], p[1], params.ceil_mode);
  const Shape out_shape{x.size(0), x.size(1), out_h, out_w};
  MaxPool2dResult result{Tensor::empty(out_shape, x.dtype()),
                         Tensor::empty(out_shape, DType::int64)};
  detail::dispatch_floating(op, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* plane = x.data<T>();
    T* value = result.values.data<T>();
    std::int64_t* index = result.indices.data<std::int64_t>();
    for (std::int64_t nc = 0; nc < x.size(0) * x.size(1); ++nc, plane += height * width) {
      for (std::int64_t a = 0; a < out_h; ++a) {
        // The window's rows [h0, h1), cut to the image (the padding never wins).
        const std::int64_t h0 = std::max<std::int64_t>(a * s[0] - p[0], 0);
        const std::int64_t h1 = std::min(a * s[0] - p[0] + k[0], height);
        for (std::int64_t b = 0; b < out_w; ++b, ++value, ++index) {
          const std::int64_t w0 = std::max<std::int64_t>(b * s[1] - p[1], 0);
          const std::int64_t w1 = std::min(b * s[1] - p[1] + k[1], width);
          T best = -std::numeric_limits<T>::infinity();
          std::int64_t best_index = h0 * width + w0;
          for (std::int64_t h = h0; h < h1; ++h) {
            for (std::int64_t w = w0; w < w1; ++w) {
              const T v = plane[h * width + w];
              // NOTE: strictly greater, so a tie keeps the first maximum; a NaN always wins.
              if (v > best || std::isnan(v)) {
                best = v;
                best_index = h * width + w;
              }
            }
          }
          *value = best;
          *index = best_index;
        }
      }
    }
  });
  return result;
}

Tensor max_pool2d_backward(const Tensor& grad_y, const Tensor& indices, const Shape& x_shape) {
  const char* op = "max_pool2d_backward";
  check_images(op, grad_y);
  check_indices(op, indices, x_shape);
  if (grad_y.shape() != indices.shape()) {
    throw ShapeError(std::string(op) + ": the gradient " + shape_str(grad_y.shape()) +
                     " and the indices " + shape_str(indices.shape()) + " differ in shape");
  }
  Tensor grad_x = Tensor::empty(x_shape, grad_y.dtype());
  grad_x.zero_();
  detail::dispatch_floating(op, grad_y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* g = grad_y.data<T>();
    T* out = grad_x.data<T>();
    const std::int64_t plane_size = x_shape[2] * x_shape[3];
    for_each_index(op, indices, x_shape, [&](std::int64_t plane, std::int64_t, std::int64_t at) {
      out[plane * plane_size + at] += *g++;
    });
  });
  return grad_x;
}

Tensor take_pooled(const Tensor& x, const Tensor& indices) {
  const char* op = "take_pooled";
  check_images(op, x);
  check_indices(op, indices, x.shape());
  Tensor y = Tensor::empty(indices.shape(), x.dtype());
  detail::dispatch_floating(op, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    const std::int64_t plane_size = x.size(2) * x.size(3);
    for_each_index(op, indices, x.shape(), [&](std::int64_t plane, std::int64_t, std::int64_t at) {
      *out++ = in[plane * plane_size + at];
    });
  });
  return y;
}

Tensor upsample_nearest2d(const Tensor& x, Pair scale) {
  const char* op = "upsample_nearest2d";
  check_images(op, x);
  if (scale[0] < 1 || scale[1] < 1) {
    throw ValueError(std::string(op) + ": the scale factors " + pair_str(scale) +
                     " must be at least 1");
  }
  const std::int64_t height = x.size(2), width = x.size(3);
  const std::int64_t out_h = height * scale[0], out_w = width * scale[1];
  Tensor y = Tensor::empty({x.size(0), x.size(1), out_h, out_w}, x.dtype());
  detail::dispatch_floating(op, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (std::int64_t nc = 0; nc < x.size(0) * x.size(1); ++nc, in += height * width) {
      for (std::int64_t a = 0; a < out_h; ++a) {
        const T* row = in + (a / scale[0]) * width;
        for (std::int64_t b = 0; b < out_w; ++b) *out++ = row[b / scale[1]];
      }
    }
  });
  return y;
}

}  // namespace xtgrad
