// Differential test of the convolutions (tensor/conv.hpp): the im2col + GEMM forms against the
// plain loops of their formulas, and of max pooling and upsampling (tensor/pool.hpp) against
// loops written here. The shapes straddle the SIMD widths along W (im2col's inner loop, which
// the compiler vectorises differently at each level), with odd sizes, padding, stride,
// dilation and non-square kernels; like the other test_kernels_* files it runs in the
// host-level and the baseline build.
//
// Tolerance: the GEMM adds the same products in another order, so an output element may differ
// from the reference by a few ulp of the sum of its terms' magnitudes, which the reference
// applied to |x| and |w| computes.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include "kernel_reference.hpp"
#include "tensor/conv.hpp"
#include "tensor/pooling.hpp"

namespace xtgrad {
namespace {

using namespace testing::kernels;

struct ConvCase {
  std::int64_t batch, in_channels, out_channels, height, width;
  Pair kernel;
  Conv2dParams params;
};

std::string describe_case(const std::string& op, DType dtype, const ConvCase& c) {
  std::ostringstream s;
  s << op << " " << dtype_name(dtype) << " N=" << c.batch << " C=" << c.in_channels
    << " O=" << c.out_channels << " H=" << c.height << " W=" << c.width << " kernel ("
    << c.kernel[0] << ", " << c.kernel[1] << ") stride (" << c.params.stride[0] << ", "
    << c.params.stride[1] << ") padding (" << c.params.padding[0] << ", " << c.params.padding[1]
    << ") dilation (" << c.params.dilation[0] << ", " << c.params.dilation[1] << ")";
  return s.str();
}

std::int64_t out_size(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t p,
                      std::int64_t d) {
  const std::int64_t room = in + 2 * p - d * (k - 1) - 1;
  return room < 0 ? 0 : room / s + 1;
}

// Random cases whose output is not empty: W straddles every SIMD width, the rest is small.
std::vector<ConvCase> conv_cases() {
  std::mt19937_64 rng(20);
  const std::vector<std::int64_t> kernels = {1, 2, 3, 5};
  const std::vector<std::int64_t> strides = {1, 1, 2, 3};
  const std::vector<std::int64_t> paddings = {0, 0, 1, 2};
  const std::vector<std::int64_t> dilations = {1, 1, 2};
  const std::vector<std::int64_t> channels = {1, 2, 3, 5};
  std::vector<ConvCase> cases;
  for (std::int64_t width : kInnerSizes) {
    for (int repeat = 0; repeat < 6; ++repeat) {
      ConvCase c{pick(rng, std::vector<std::int64_t>{1, 2, 3}),
                 pick(rng, channels),
                 pick(rng, channels),
                 pick(rng, std::vector<std::int64_t>{1, 3, 4, 7, 9}),
                 width,
                 {pick(rng, kernels), pick(rng, kernels)},
                 {}};
      for (int k = 0; k < 2; ++k) {
        c.params.stride[k] = pick(rng, strides);
        c.params.padding[k] = pick(rng, paddings);
        c.params.dilation[k] = pick(rng, dilations);
      }
      const Conv2dParams& p = c.params;
      if (out_size(c.height, c.kernel[0], p.stride[0], p.padding[0], p.dilation[0]) < 1 ||
          out_size(c.width, c.kernel[1], p.stride[1], p.padding[1], p.dilation[1]) < 1) {
        continue;
      }
      cases.push_back(c);
    }
  }
  // The Keras blog's first layer, on a small batch: 3x3, 'same' padding.
  cases.push_back({2, 1, 16, 28, 28, {3, 3}, {{1, 1}, {1, 1}, {1, 1}}});
  return cases;
}

// |got - want| <= ulps(dtype, 8 + terms) * scale, element by element (scale from |x| and |w|).
void check_close(const std::string& what, const Tensor& got, const Tensor& want,
                 const Tensor& scale, std::int64_t terms) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) {
    BOOST_ERROR(what << ": got " << dtype_name(got.dtype()) << " " << shape_str(got.shape())
                     << ", want " << dtype_name(want.dtype()) << " " << shape_str(want.shape()));
    return;
  }
  const Values g = got.to_vector<double>(), w = want.to_vector<double>(),
               s = scale.to_vector<double>();
  const double tol = ulps(got.dtype(), 8.0 + static_cast<double>(terms));
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!(std::abs(g[i] - w[i]) <= tol * s[i] + std::numeric_limits<double>::min())) {
      BOOST_ERROR(what << ": element " << i << " is " << g[i] << ", want " << w[i] << " (tolerance "
                       << tol * s[i] << ")");
      return;
    }
  }
  BOOST_TEST(true);
}

BOOST_AUTO_TEST_CASE(conv2d_im2col_matches_the_seven_loops) {
  std::mt19937_64 rng(1);
  for (const ConvCase& c : conv_cases()) {
    for (DType dtype : kFloats) {
      const Tensor x =
          random_tensor(rng, {c.batch, c.in_channels, c.height, c.width}, dtype, false);
      const Tensor w = random_tensor(rng, {c.out_channels, c.in_channels, c.kernel[0], c.kernel[1]},
                                     dtype, false);
      check_close(describe_case("conv2d", dtype, c), conv2d(x, w, c.params),
                  conv2d_reference(x, w, c.params), conv2d_reference(abs(x), abs(w), c.params),
                  c.in_channels * c.kernel[0] * c.kernel[1]);
    }
  }
}

BOOST_AUTO_TEST_CASE(conv_transpose2d_col2im_matches_the_loops) {
  std::mt19937_64 rng(2);
  for (const ConvCase& c : conv_cases()) {
    for (DType dtype : kFloats) {
      const Conv2dParams& p = c.params;
      // conv_transpose2d maps the conv's output size back to its input size: x is (N, O, Ho, Wo).
      const std::int64_t out_h =
          out_size(c.height, c.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
      const std::int64_t out_w =
          out_size(c.width, c.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
      // The output padding that gives back the conv's input size (H, W), as backward uses it.
      const Pair output_padding{c.height - ((out_h - 1) * p.stride[0] - 2 * p.padding[0] +
                                            p.dilation[0] * (c.kernel[0] - 1) + 1),
                                c.width - ((out_w - 1) * p.stride[1] - 2 * p.padding[1] +
                                           p.dilation[1] * (c.kernel[1] - 1) + 1)};
      const Tensor x = random_tensor(rng, {c.batch, c.out_channels, out_h, out_w}, dtype, false);
      const Tensor w = random_tensor(rng, {c.out_channels, c.in_channels, c.kernel[0], c.kernel[1]},
                                     dtype, false);
      check_close(describe_case("conv_transpose2d", dtype, c),
                  conv_transpose2d(x, w, p, output_padding),
                  conv_transpose2d_reference(x, w, p, output_padding),
                  conv_transpose2d_reference(abs(x), abs(w), p, output_padding),
                  c.out_channels * c.kernel[0] * c.kernel[1]);
    }
  }
}

BOOST_AUTO_TEST_CASE(conv2d_weight_grad_matches_the_loops) {
  std::mt19937_64 rng(3);
  for (const ConvCase& c : conv_cases()) {
    for (DType dtype : kFloats) {
      const Conv2dParams& p = c.params;
      const std::int64_t out_h =
          out_size(c.height, c.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
      const std::int64_t out_w =
          out_size(c.width, c.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
      const Tensor x =
          random_tensor(rng, {c.batch, c.in_channels, c.height, c.width}, dtype, false);
      const Tensor g = random_tensor(rng, {c.batch, c.out_channels, out_h, out_w}, dtype, false);
      check_close(
          describe_case("conv2d_weight_grad", dtype, c), conv2d_weight_grad(x, g, c.kernel, p),
          conv2d_weight_grad_reference(x, g, c.kernel, p),
          conv2d_weight_grad_reference(abs(x), abs(g), c.kernel, p), c.batch * out_h * out_w);
    }
  }
}

// Max pooling against a loop written here from PyTorch's definition, with ties and NaNs
// (random_tensor draws small integers, so equal values in a window are common).
BOOST_AUTO_TEST_CASE(max_pool2d_matches_a_scan_of_each_window_first_maximum_wins) {
  std::mt19937_64 rng(4);
  for (std::int64_t width : kInnerSizes) {
    for (int repeat = 0; repeat < 8; ++repeat) {
      MaxPool2dParams p;
      p.kernel = {pick(rng, std::vector<std::int64_t>{1, 2, 3}),
                  pick(rng, std::vector<std::int64_t>{1, 2, 3, 4})};
      p.stride = {pick(rng, std::vector<std::int64_t>{0, 1, 2, 3}),
                  pick(rng, std::vector<std::int64_t>{0, 1, 2})};
      p.padding = {std::uniform_int_distribution<std::int64_t>(0, p.kernel[0] / 2)(rng),
                   std::uniform_int_distribution<std::int64_t>(0, p.kernel[1] / 2)(rng)};
      p.ceil_mode = repeat % 2 == 1;
      const std::int64_t height = pick(rng, std::vector<std::int64_t>{1, 3, 4, 7});
      if (height + 2 * p.padding[0] < p.kernel[0] || width + 2 * p.padding[1] < p.kernel[1])
        continue;
      const Pair s{p.stride[0] ? p.stride[0] : p.kernel[0],
                   p.stride[1] ? p.stride[1] : p.kernel[1]};
      for (DType dtype : kFloats) {
        const Tensor x = random_tensor(rng, {2, 3, height, width}, dtype);
        const MaxPool2dResult got = max_pool2d(x, p);
        const Shape& out = got.values.shape();
        Values want_values, want_indices;
        const Values vx = x.to_vector<double>();
        for (std::int64_t plane = 0; plane < 6; ++plane) {
          for (std::int64_t a = 0; a < out[2]; ++a) {
            for (std::int64_t b = 0; b < out[3]; ++b) {
              double best = -std::numeric_limits<double>::infinity();
              std::int64_t best_at = -1;
              for (std::int64_t i = 0; i < p.kernel[0]; ++i) {
                for (std::int64_t j = 0; j < p.kernel[1]; ++j) {
                  const std::int64_t h = a * s[0] - p.padding[0] + i,
                                     w = b * s[1] - p.padding[1] + j;
                  if (h < 0 || h >= height || w < 0 || w >= width) continue;
                  const double v = vx[static_cast<std::size_t>((plane * height + h) * width + w)];
                  if (best_at < 0 || v > best || std::isnan(v)) {
                    best = v;
                    best_at = h * width + w;
                  }
                }
              }
              BOOST_REQUIRE_MESSAGE(best_at >= 0, "an empty window at " << a << ", " << b);
              want_values.push_back(best);
              want_indices.push_back(static_cast<double>(best_at));
            }
          }
        }
        const std::string what = describe("max_pool2d", dtype, {x.shape(), out});
        check_values(what + " values", got.values, out, dtype, want_values, 0);
        check_values(what + " indices", got.indices, out, DType::int64, want_indices, 0);
        // Backward sends each gradient to its index; take_pooled reads x there again.
        check_values(what + " take_pooled", take_pooled(x, got.indices), out, dtype, want_values,
                     0);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(upsample_nearest2d_repeats_each_pixel_as_a_block) {
  std::mt19937_64 rng(5);
  for (std::int64_t width : kInnerSizes) {
    const Pair scale{pick(rng, std::vector<std::int64_t>{1, 2, 3}),
                     pick(rng, std::vector<std::int64_t>{1, 2, 3})};
    for (DType dtype : kFloats) {
      const Tensor x = random_tensor(rng, {2, 2, 3, width}, dtype);
      const Values vx = x.to_vector<double>();
      const Shape out{2, 2, 3 * scale[0], width * scale[1]};
      Values want;
      for (std::int64_t plane = 0; plane < 4; ++plane)
        for (std::int64_t a = 0; a < out[2]; ++a)
          for (std::int64_t b = 0; b < out[3]; ++b)
            want.push_back(
                vx[static_cast<std::size_t>((plane * 3 + a / scale[0]) * width + b / scale[1])]);
      check_values(describe("upsample_nearest2d", dtype, {x.shape()}), upsample_nearest2d(x, scale),
                   out, dtype, want, 0);
    }
  }
}

}  // namespace
}  // namespace xtgrad
