// Convolution as a matrix product (im2col), next to the plain loops of its formula.
//
// The seven loops of conv2d_reference do C kh kw multiply-adds for every output element, in an
// order that no cache or SIMD unit likes. im2col rearranges the work: for one image it copies,
// for every output position (a, b), the C kh kw pixels that the kernel covers there into one
// column of a matrix, `cols`:
//
//        image (C, H, W)                    cols (C kh kw, Ho Wo)          w (O, C kh kw)
//    +---+---+---+---+                 (a,b)=(0,0) (0,1) (1,0) (1,1)
//    | 1 | 2 | 3 | . |   3x3 kernel     c0 i0 j0 [  1     2     .     .  ]
//    | 4 | 5 | 6 | . |   at (0, 0)  ->  c0 i0 j1 [  2     3     .     .  ]     y_n = w @ cols
//    | 7 | 8 | 9 | . |   is column       ...                                   (O, Ho Wo)
//    | . | . | . | . |   (0, 0)         c0 i2 j2 [  9     .     .     .  ]
//    +---+---+---+---+
//
// Then one GEMM, w (O, C kh kw) @ cols (C kh kw, Ho Wo), computes the whole output of that
// image at BLAS speed. The price is memory: cols holds kh kw copies of every pixel, so we unfold
// one image at a time (PyTorch's CPU convolution does the same), with one GEMM per image.
//
// The backward passes are the same trick read the other way round:
//  - the input gradient: cols = w^T @ grad_y, then col2im adds every entry of cols back onto the
//    pixel it was copied from (col2im is im2col's adjoint): that is conv_transpose2d;
//  - the weight gradient: grad_w = sum over images of grad_y (O, Ho Wo) @ cols^T.
#include <algorithm>
#include <array>
#include <string>

#include "tensor/conv.hpp"
#include "tensor/kernels.hpp"
#include "tensor/linalg.hpp"

namespace xtgrad {

namespace {

std::string pair_str(Pair p) {
  return "(" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ")";
}

void check_params(const char* op, const Conv2dParams& p) {
  if (p.stride[0] < 1 || p.stride[1] < 1) {
    throw ValueError(std::string(op) + ": the stride " + pair_str(p.stride) +
                     " must be at least 1");
  }
  if (p.dilation[0] < 1 || p.dilation[1] < 1) {
    throw ValueError(std::string(op) + ": the dilation " + pair_str(p.dilation) +
                     " must be at least 1");
  }
  if (p.padding[0] < 0 || p.padding[1] < 0) {
    throw ValueError(std::string(op) + ": the padding " + pair_str(p.padding) +
                     " must not be negative");
  }
}

void check_4d(const char* op, const char* what, const Tensor& t) {
  check_defined(op, t);
  check_floating(op, t);
  if (t.dim() != 4) {
    throw ShapeError(std::string(op) + ": the " + what + " must be 4-d (" +
                     (std::string(what) == "weight" ? "out, in, kh, kw" : "N, C, H, W") +
                     "), got " + shape_str(t.shape()));
  }
}

// The geometry of one im2col: an image (channels, height, width) unfolded for a kernel
// (kernel_h, kernel_w) into cols (channels kernel_h kernel_w, out_h out_w).
struct Geometry {
  std::int64_t channels, height, width;
  std::int64_t kernel_h, kernel_w;
  std::int64_t out_h, out_w;
  Conv2dParams p;
  std::int64_t rows() const { return channels * kernel_h * kernel_w; }
  std::int64_t cols() const { return out_h * out_w; }
  std::int64_t image_size() const { return channels * height * width; }
};

// Ho = floor((H + 2p - d (k - 1) - 1) / s) + 1, or 0 when the dilated kernel does not fit.
std::int64_t conv_out_size(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t p,
                           std::int64_t d) {
  const std::int64_t room = in + 2 * p - d * (k - 1) - 1;
  return room < 0 ? 0 : room / s + 1;
}

// The geometry of conv2d(x, w) for an input x (N, C, H, W): validates both and the params.
Geometry conv_geometry(const char* op, const Tensor& x, const Shape& w_shape,
                       const std::string& w_str, const Conv2dParams& p) {
  check_params(op, p);
  const Shape& xs = x.shape();
  if (xs[1] != w_shape[1]) {
    throw ShapeError(std::string(op) + ": input " + shape_str(xs) + " has " +
                     std::to_string(xs[1]) + " channels, weight " + w_str + " expects " +
                     std::to_string(w_shape[1]));
  }
  if (w_shape[2] < 1 || w_shape[3] < 1) {
    throw ShapeError(std::string(op) + ": the kernel of weight " + w_str + " is empty");
  }
  Geometry g{xs[1], xs[2], xs[3], w_shape[2], w_shape[3], 0, 0, p};
  g.out_h = conv_out_size(g.height, g.kernel_h, p.stride[0], p.padding[0], p.dilation[0]);
  g.out_w = conv_out_size(g.width, g.kernel_w, p.stride[1], p.padding[1], p.dilation[1]);
  if (g.out_h < 1 || g.out_w < 1) {
    const Pair dilated{p.dilation[0] * (g.kernel_h - 1) + 1, p.dilation[1] * (g.kernel_w - 1) + 1};
    throw ShapeError(std::string(op) + ": input " + shape_str(xs) + " padded by " +
                     pair_str(p.padding) + " is smaller than the dilated kernel " +
                     pair_str(dilated) + " of weight " + w_str);
  }
  return g;
}

// The output columns b whose image column b s + offset lies inside the image, [b0, b1):
// 0 <= b s + offset < W.
std::array<std::int64_t, 2> columns_inside(const Geometry& g, std::int64_t offset) {
  const std::int64_t s = g.p.stride[1];
  const std::int64_t b0 = std::min(offset >= 0 ? 0 : (-offset + s - 1) / s, g.out_w);
  const std::int64_t last = g.width - 1 - offset;  // b s <= last
  const std::int64_t b1 = std::clamp(last >= 0 ? last / s + 1 : 0, b0, g.out_w);
  return {b0, b1};
}

// [book:im2col]
// Unfolds one image (C, H, W) into cols (C kh kw, Ho Wo): row (c, i, j) holds, for every output
// position (a, b), the pixel under the kernel's tap (i, j) in channel c, or 0 in the padding.
template <class T>
void im2col(const T* image, const Geometry& g, T* cols) {
  const std::int64_t s_h = g.p.stride[0], s_w = g.p.stride[1];
  const std::int64_t p_h = g.p.padding[0], p_w = g.p.padding[1];
  const std::int64_t d_h = g.p.dilation[0], d_w = g.p.dilation[1];
  T* row = cols;
  for (std::int64_t c = 0; c < g.channels; ++c) {
    for (std::int64_t i = 0; i < g.kernel_h; ++i) {
      for (std::int64_t j = 0; j < g.kernel_w; ++j, row += g.cols()) {
        const std::int64_t offset = j * d_w - p_w;  // image column = b s_w + offset
        const std::array<std::int64_t, 2> inside = columns_inside(g, offset);
        for (std::int64_t a = 0; a < g.out_h; ++a) {
          T* out = row + a * g.out_w;
          const std::int64_t h = a * s_h - p_h + i * d_h;  // the image row under tap i
          if (h < 0 || h >= g.height) {
            std::fill(out, out + g.out_w, T(0));
            continue;
          }
          // Output columns [b0, b1) read image columns b s_w + offset inside the image; the
          // others read the padding.
          const T* in = image + (c * g.height + h) * g.width;
          const auto [b0, b1] = inside;
          std::fill(out, out + b0, T(0));
          for (std::int64_t b = b0; b < b1; ++b) out[b] = in[b * s_w + offset];
          std::fill(out + b1, out + g.out_w, T(0));
        }
      }
    }
  }
}
// [/book:im2col]

// The adjoint of im2col: adds every entry of cols onto the pixel of `image` (C, H, W) that
// im2col would have copied there (entries in the padding are dropped). The caller zeroes image.
template <class T>
void col2im(const T* cols, const Geometry& g, T* image) {
  const std::int64_t s_h = g.p.stride[0], s_w = g.p.stride[1];
  const std::int64_t p_h = g.p.padding[0], p_w = g.p.padding[1];
  const std::int64_t d_h = g.p.dilation[0], d_w = g.p.dilation[1];
  const T* row = cols;
  for (std::int64_t c = 0; c < g.channels; ++c) {
    for (std::int64_t i = 0; i < g.kernel_h; ++i) {
      for (std::int64_t j = 0; j < g.kernel_w; ++j, row += g.cols()) {
        const std::int64_t offset = j * d_w - p_w;
        const std::array<std::int64_t, 2> inside = columns_inside(g, offset);
        for (std::int64_t a = 0; a < g.out_h; ++a) {
          const std::int64_t h = a * s_h - p_h + i * d_h;
          if (h < 0 || h >= g.height) continue;
          const T* in = row + a * g.out_w;
          T* out = image + (c * g.height + h) * g.width;
          const auto [b0, b1] = inside;
          for (std::int64_t b = b0; b < b1; ++b) out[b * s_w + offset] += in[b];
        }
      }
    }
  }
}

// Image n of a batch (N, ...) seen as a matrix (rows, cols), sharing its storage.
Tensor image_matrix(const Tensor& batch, std::int64_t n, std::int64_t rows, std::int64_t cols) {
  return batch.rows(n, n + 1).reshape({rows, cols});
}

// The checks of conv_transpose2d(x, w): x (N, O, H, W), w (O, C, kh, kw). Returns the geometry
// of the convolution it is the transpose of: its image is y (C, Ho, Wo), its output x's (H, W).
Geometry transpose_geometry(const char* op, const Tensor& x, const Tensor& w, const Conv2dParams& p,
                            Pair output_padding) {
  check_4d(op, "input", x);
  check_4d(op, "weight", w);
  check_same_dtype(op, x, w);
  check_params(op, p);
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  if (xs[1] != ws[0]) {
    throw ShapeError(std::string(op) + ": input " + shape_str(xs) + " has " +
                     std::to_string(xs[1]) + " channels, weight " + shape_str(ws) + " expects " +
                     std::to_string(ws[0]));
  }
  if (ws[2] < 1 || ws[3] < 1) {
    throw ShapeError(std::string(op) + ": the kernel of weight " + shape_str(ws) + " is empty");
  }
  for (int k = 0; k < 2; ++k) {
    if (output_padding[k] < 0 || output_padding[k] >= p.stride[k]) {
      throw ValueError(std::string(op) + ": the output padding " + pair_str(output_padding) +
                       " must be at least 0 and smaller than the stride " + pair_str(p.stride));
    }
  }
  Geometry g{ws[1], 0, 0, ws[2], ws[3], xs[2], xs[3], p};
  // Ho = (H - 1) s - 2p + d (kh - 1) + output_padding + 1
  g.height = (xs[2] - 1) * p.stride[0] - 2 * p.padding[0] + p.dilation[0] * (ws[2] - 1) +
             output_padding[0] + 1;
  g.width = (xs[3] - 1) * p.stride[1] - 2 * p.padding[1] + p.dilation[1] * (ws[3] - 1) +
            output_padding[1] + 1;
  if (g.height < 1 || g.width < 1) {
    throw ShapeError(std::string(op) + ": input " + shape_str(xs) + " with weight " +
                     shape_str(ws) + ", stride " + pair_str(p.stride) + " and padding " +
                     pair_str(p.padding) + " gives an empty output (" + std::to_string(g.height) +
                     ", " + std::to_string(g.width) + ")");
  }
  return g;
}

// The checks of conv2d_weight_grad(x, grad_y, kernel): returns conv2d's geometry.
Geometry weight_grad_geometry(const char* op, const Tensor& x, const Tensor& grad_y, Pair kernel,
                              const Conv2dParams& p) {
  check_4d(op, "input", x);
  check_4d(op, "output gradient", grad_y);
  check_same_dtype(op, x, grad_y);
  const Shape w_shape{grad_y.size(1), x.size(1), kernel[0], kernel[1]};
  const Geometry g = conv_geometry(op, x, w_shape, "of kernel " + pair_str(kernel), p);
  const Shape want{x.size(0), grad_y.size(1), g.out_h, g.out_w};
  if (grad_y.shape() != want) {
    throw ShapeError(std::string(op) + ": the output gradient has shape " +
                     shape_str(grad_y.shape()) + " but input " + shape_str(x.shape()) +
                     " with kernel " + pair_str(kernel) +
                     " gives outputs (N, O, Ho, Wo) = " + shape_str(want));
  }
  return g;
}

Geometry conv2d_geometry(const char* op, const Tensor& x, const Tensor& w, const Conv2dParams& p) {
  check_4d(op, "input", x);
  check_4d(op, "weight", w);
  check_same_dtype(op, x, w);
  return conv_geometry(op, x, w.shape(), shape_str(w.shape()), p);
}

}  // namespace

// [book:conv2d]
Tensor conv2d(const Tensor& x, const Tensor& w, const Conv2dParams& params) {
  const Geometry g = conv2d_geometry("conv2d", x, w, params);
  const std::int64_t batch = x.size(0), out_channels = w.size(0);
  Tensor y = Tensor::empty({batch, out_channels, g.out_h, g.out_w}, x.dtype());
  const Tensor w_matrix = w.reshape({out_channels, g.rows()});   // (O, C kh kw)
  Tensor cols = Tensor::empty({g.rows(), g.cols()}, x.dtype());  // (C kh kw, Ho Wo)
  detail::dispatch_floating("conv2d", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (std::int64_t n = 0; n < batch; ++n) {
      im2col(x.data<T>() + n * g.image_size(), g, cols.data<T>());
      Tensor y_n = image_matrix(y, n, out_channels, g.cols());  // (O, Ho Wo), a view of y
      matmul_into(y_n, w_matrix, cols);                         // y_n = w @ cols
    }
  });
  return y;
}
// [/book:conv2d]

Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Conv2dParams& params,
                        Pair output_padding) {
  const Geometry g = transpose_geometry("conv_transpose2d", x, w, params, output_padding);
  const std::int64_t batch = x.size(0), in_channels = x.size(1);
  Tensor y = Tensor::empty({batch, g.channels, g.height, g.width}, x.dtype());
  y.zero_();                                                     // col2im adds into it
  const Tensor w_matrix = w.reshape({in_channels, g.rows()});    // (O, C kh kw)
  Tensor cols = Tensor::empty({g.rows(), g.cols()}, x.dtype());  // (C kh kw, H W)
  detail::dispatch_floating("conv_transpose2d", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (std::int64_t n = 0; n < batch; ++n) {
      const Tensor x_n = image_matrix(x, n, in_channels, g.cols());  // (O, H W)
      matmul_into(cols, w_matrix, x_n, true, false);                 // cols = w^T @ x_n
      col2im(cols.data<T>(), g, y.data<T>() + n * g.image_size());
    }
  });
  return y;
}

Tensor conv2d_weight_grad(const Tensor& x, const Tensor& grad_y, Pair kernel,
                          const Conv2dParams& params) {
  const Geometry g = weight_grad_geometry("conv2d_weight_grad", x, grad_y, kernel, params);
  const std::int64_t batch = x.size(0), out_channels = grad_y.size(1);
  Tensor grad_w = Tensor::empty({out_channels, g.channels, kernel[0], kernel[1]}, x.dtype());
  grad_w.zero_();
  Tensor grad_w_matrix = grad_w.reshape({out_channels, g.rows()});  // (O, C kh kw)
  Tensor cols = Tensor::empty({g.rows(), g.cols()}, x.dtype());     // (C kh kw, Ho Wo)
  detail::dispatch_floating("conv2d_weight_grad", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (std::int64_t n = 0; n < batch; ++n) {
      im2col(x.data<T>() + n * g.image_size(), g, cols.data<T>());
      const Tensor g_n = image_matrix(grad_y, n, out_channels, g.cols());  // (O, Ho Wo)
      matmul_into(grad_w_matrix, g_n, cols, false, true, 1.0, 1.0);        // += g_n @ cols^T
    }
  });
  return grad_w;
}

// --- the references: the formulas as loops ---------------------------------------------------

// [book:conv2d_reference]
Tensor conv2d_reference(const Tensor& x, const Tensor& w, const Conv2dParams& params) {
  const Geometry g = conv2d_geometry("conv2d_reference", x, w, params);
  const std::int64_t s_h = params.stride[0], s_w = params.stride[1];
  const std::int64_t p_h = params.padding[0], p_w = params.padding[1];
  const std::int64_t d_h = params.dilation[0], d_w = params.dilation[1];
  const std::int64_t batch = x.size(0), out_channels = w.size(0);
  Tensor y = Tensor::empty({batch, out_channels, g.out_h, g.out_w}, x.dtype());
  detail::dispatch_floating("conv2d_reference", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    T* py = y.data<T>();
    for (std::int64_t n = 0; n < batch; ++n)
      for (std::int64_t o = 0; o < out_channels; ++o)
        for (std::int64_t a = 0; a < g.out_h; ++a)
          for (std::int64_t b = 0; b < g.out_w; ++b) {
            double sum = 0.0;
            for (std::int64_t c = 0; c < g.channels; ++c)
              for (std::int64_t i = 0; i < g.kernel_h; ++i)
                for (std::int64_t j = 0; j < g.kernel_w; ++j) {
                  const std::int64_t h = a * s_h - p_h + i * d_h, v = b * s_w - p_w + j * d_w;
                  if (h < 0 || h >= g.height || v < 0 || v >= g.width) continue;  // padding: 0
                  sum += double(pw[((o * g.channels + c) * g.kernel_h + i) * g.kernel_w + j]) *
                         double(px[((n * g.channels + c) * g.height + h) * g.width + v]);
                }
            py[((n * out_channels + o) * g.out_h + a) * g.out_w + b] = static_cast<T>(sum);
          }
  });
  return y;
}
// [/book:conv2d_reference]

Tensor conv_transpose2d_reference(const Tensor& x, const Tensor& w, const Conv2dParams& params,
                                  Pair output_padding) {
  const Geometry g = transpose_geometry("conv_transpose2d_reference", x, w, params, output_padding);
  const std::int64_t s_h = params.stride[0], s_w = params.stride[1];
  const std::int64_t p_h = params.padding[0], p_w = params.padding[1];
  const std::int64_t d_h = params.dilation[0], d_w = params.dilation[1];
  const std::int64_t batch = x.size(0), in_channels = x.size(1);
  Tensor y = Tensor::empty({batch, g.channels, g.height, g.width}, x.dtype());
  detail::dispatch_floating("conv_transpose2d_reference", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::vector<double> sum(static_cast<std::size_t>(y.numel()), 0.0);
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    // Every input pixel (n, o, a, b) adds w[o, c] scaled by it under the kernel's taps.
    for (std::int64_t n = 0; n < batch; ++n)
      for (std::int64_t o = 0; o < in_channels; ++o)
        for (std::int64_t a = 0; a < g.out_h; ++a)
          for (std::int64_t b = 0; b < g.out_w; ++b)
            for (std::int64_t c = 0; c < g.channels; ++c)
              for (std::int64_t i = 0; i < g.kernel_h; ++i)
                for (std::int64_t j = 0; j < g.kernel_w; ++j) {
                  const std::int64_t h = a * s_h - p_h + i * d_h, v = b * s_w - p_w + j * d_w;
                  if (h < 0 || h >= g.height || v < 0 || v >= g.width) continue;
                  sum[static_cast<std::size_t>(((n * g.channels + c) * g.height + h) * g.width +
                                               v)] +=
                      double(pw[((o * g.channels + c) * g.kernel_h + i) * g.kernel_w + j]) *
                      double(px[((n * in_channels + o) * g.out_h + a) * g.out_w + b]);
                }
    std::transform(sum.begin(), sum.end(), y.data<T>(), [](double s) { return static_cast<T>(s); });
  });
  return y;
}

Tensor conv2d_weight_grad_reference(const Tensor& x, const Tensor& grad_y, Pair kernel,
                                    const Conv2dParams& params) {
  const Geometry g =
      weight_grad_geometry("conv2d_weight_grad_reference", x, grad_y, kernel, params);
  const std::int64_t s_h = params.stride[0], s_w = params.stride[1];
  const std::int64_t p_h = params.padding[0], p_w = params.padding[1];
  const std::int64_t d_h = params.dilation[0], d_w = params.dilation[1];
  const std::int64_t batch = x.size(0), out_channels = grad_y.size(1);
  Tensor grad_w = Tensor::empty({out_channels, g.channels, kernel[0], kernel[1]}, x.dtype());
  detail::dispatch_floating("conv2d_weight_grad_reference", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    const T* pg = grad_y.data<T>();
    T* pw = grad_w.data<T>();
    for (std::int64_t o = 0; o < out_channels; ++o)
      for (std::int64_t c = 0; c < g.channels; ++c)
        for (std::int64_t i = 0; i < g.kernel_h; ++i)
          for (std::int64_t j = 0; j < g.kernel_w; ++j) {
            double sum = 0.0;
            for (std::int64_t n = 0; n < batch; ++n)
              for (std::int64_t a = 0; a < g.out_h; ++a)
                for (std::int64_t b = 0; b < g.out_w; ++b) {
                  const std::int64_t h = a * s_h - p_h + i * d_h, v = b * s_w - p_w + j * d_w;
                  if (h < 0 || h >= g.height || v < 0 || v >= g.width) continue;
                  sum += double(pg[((n * out_channels + o) * g.out_h + a) * g.out_w + b]) *
                         double(px[((n * g.channels + c) * g.height + h) * g.width + v]);
                }
            pw[((o * g.channels + c) * g.kernel_h + i) * g.kernel_w + j] = static_cast<T>(sum);
          }
  });
  return grad_w;
}

}  // namespace xtgrad
