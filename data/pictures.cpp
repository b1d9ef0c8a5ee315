// Pictures: image grids, encoded as PNG by stb_image_write and written with
// write_file_atomically. (The plots drawn by gnuplot are in plots.cpp.)
//
// Grid layout, for N images of height x width pixels, C = min(N, columns), R = ceil(N / C),
// s = scale:
//
//   +---+---+---+     every '+' and '-' is a 1-pixel gap of grey 32 (dark, not black, so
//   | 0 | 1 | 2 |     that black pixels at an image's edge stay visible);
//   +---+---+---+     each cell is (width * s) x (height * s) pixels;
//   | 3 | 4 |   |     cells after the last image are filled with the gap grey.
//   +---+---+---+
//   picture width = C * (width * s + 1) + 1, picture height = R * (height * s + 1) + 1.
#include "data/pictures.hpp"

#include <stb_image_write.h>  // NOTE: libstb.so holds the implementation: no *_IMPLEMENTATION

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tensor/files.hpp"

namespace xtgrad::data {

namespace {

constexpr std::uint8_t kGapGrey = 32;  // the gaps between images and around the border

// The checks both grid functions share; `what` is "images" or "weights".
void check_grid_arguments(const std::string& op, const char* what, const Tensor& images,
                          std::int64_t height, std::int64_t width, std::int64_t columns,
                          std::int64_t scale) {
  check_defined(op.c_str(), images);
  if (height < 1 || width < 1) {
    throw ValueError(op + ": height and width must be at least 1, got " + std::to_string(height) +
                     " x " + std::to_string(width));
  }
  if (images.dim() != 2) {
    throw ShapeError(op + ": " + what + " must be 2-d (N, height * width), got shape " +
                     shape_str(images.shape()));
  }
  if (images.size(1) != height * width) {
    throw ShapeError(op + ": " + what + " of shape " + shape_str(images.shape()) + " have " +
                     std::to_string(images.size(1)) +
                     " columns, but height * width = " + std::to_string(height) + " * " +
                     std::to_string(width) + " = " + std::to_string(height * width));
  }
  if (images.size(0) == 0) {
    throw ShapeError(op + ": " + what + " of shape " + shape_str(images.shape()) +
                     " hold no images to draw");
  }
  if (columns < 1) {
    throw ValueError(op + ": columns must be at least 1, got " + std::to_string(columns));
  }
  if (scale < 1) throw ValueError(op + ": scale must be at least 1, got " + std::to_string(scale));
}

// Pixel value in [0, 1] -> grey byte. NOTE: NaN (a diverged model) is drawn black, not as
// whatever a cast of NaN happens to give.
std::uint8_t to_grey(float value) {
  if (std::isnan(value)) return 0;
  return static_cast<std::uint8_t>(std::lround(std::clamp(value, 0.0f, 1.0f) * 255.0f));
}

// Draws `pixels` ((n, height * width) in row-major order, values in [0, 1]) as a grid and
// writes it to `path` as a PNG.
void write_grid(const std::string& op, const std::string& path, const std::vector<float>& pixels,
                std::int64_t n, std::int64_t height, std::int64_t width, std::int64_t columns,
                std::int64_t scale) {
  const std::int64_t grid_cols = std::min(n, columns);
  const std::int64_t grid_rows = (n + grid_cols - 1) / grid_cols;  // ceil(n / grid_cols)
  const std::int64_t cell_w = width * scale + 1, cell_h = height * scale + 1;  // with one gap
  // NOTE: stb takes int sizes; also keep the picture to a sane size (64 Mpixel).
  const double total = static_cast<double>(grid_cols * cell_w + 1) * (grid_rows * cell_h + 1);
  if (grid_cols * cell_w + 1 > INT_MAX || grid_rows * cell_h + 1 > INT_MAX || total > (1 << 26)) {
    throw ValueError(op + ": a grid of " + std::to_string(grid_rows) + " x " +
                     std::to_string(grid_cols) + " images of " + std::to_string(height) + " x " +
                     std::to_string(width) + " at scale " + std::to_string(scale) +
                     " is too large for one picture");
  }
  const int pic_w = static_cast<int>(grid_cols * cell_w + 1);
  const int pic_h = static_cast<int>(grid_rows * cell_h + 1);

  std::vector<std::uint8_t> picture(static_cast<std::size_t>(pic_w) * pic_h, kGapGrey);
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t top = 1 + (k / grid_cols) * cell_h;  // the cell's first picture row
    const std::int64_t left = 1 + (k % grid_cols) * cell_w;
    const float* image = pixels.data() + k * height * width;
    for (std::int64_t y = 0; y < height * scale; ++y) {
      std::uint8_t* out = picture.data() + (top + y) * pic_w + left;
      const float* row = image + (y / scale) * width;
      for (std::int64_t x = 0; x < width * scale; ++x) out[x] = to_grey(row[x / scale]);
    }
  }

  // stb hands the encoded PNG to a callback, in one piece or several; we collect them and
  // write the file in one go. 1 channel (grey), 8 bits; the argument after the pixels is the
  // byte distance between rows.
  std::string png;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<std::size_t>(size));
  };
  if (stbi_write_png_to_func(append, &png, pic_w, pic_h, 1, picture.data(), pic_w) == 0) {
    throw FileError(op + ": " + path + ": stb_image_write could not encode the picture");
  }
  write_file_atomically(path, png, op);
}

}  // namespace

void save_image_grid(const std::string& path, const Tensor& images, std::int64_t height,
                     std::int64_t width, std::int64_t columns, std::int64_t scale) {
  const std::string op = "save_image_grid";
  check_grid_arguments(op, "images", images, height, width, columns, scale);
  write_grid(op, path, images.to_vector<float>(), images.size(0), height, width, columns, scale);
}

// Each unit u: p = (w - min_u) / (max_u - min_u), so its most negative weight is black and its
// most positive white. NOTE: a constant unit (max = min) would divide by zero; it is drawn
// mid-grey. NaN weights are left out of min and max and drawn black.
void save_filter_grid(const std::string& path, const Tensor& weights, std::int64_t height,
                      std::int64_t width, std::int64_t columns, std::int64_t scale) {
  const std::string op = "save_filter_grid";
  check_grid_arguments(op, "weights", weights, height, width, columns, scale);
  std::vector<float> pixels = weights.to_vector<float>();
  const std::size_t per_unit = static_cast<std::size_t>(height * width);
  for (std::size_t start = 0; start < pixels.size(); start += per_unit) {
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (std::size_t i = start; i < start + per_unit; ++i) {
      if (std::isnan(pixels[i])) continue;
      lo = std::min(lo, pixels[i]);
      hi = std::max(hi, pixels[i]);
    }
    const float range = hi - lo;
    for (std::size_t i = start; i < start + per_unit; ++i) {
      if (std::isnan(pixels[i])) continue;
      pixels[i] = range > 0 ? (pixels[i] - lo) / range : 0.5f;
    }
  }
  write_grid(op, path, pixels, weights.size(0), height, width, columns, scale);
}

}  // namespace xtgrad::data
