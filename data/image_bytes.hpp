#pragma once
// ImageBytes: N images of D pixels kept as the file's grey levels, one byte each (0..255),
// and converted to float32 only a few rows at a time.
//
// Fashion-MNIST's 60 000 training images take 47 MB as bytes and 188 MB as float32. A
// training run needs floats only for the batch it is working on, so the command keeps the
// bytes and converts each batch (the data sets, the evaluation and PCA read blocks):
//
//   ImageBytes train = load_fashion_mnist_bytes(Split::train).images;   // (60000, 784) bytes
//   ImageBytes validation = train.rows(55000, 60000);                   // shares the bytes
//   Tensor batch = train.rows(0, 256).to_float();                      // (256, 784) float32
//
// Every conversion computes pixel_value(byte) = byte / 255.0f, so a batch holds exactly the
// floats that a float32 copy of the whole set would hold in those rows.
#include <cstdint>
#include <memory>
#include <vector>

#include "tensor/tensor.hpp"

namespace xtgrad::data {

// A grey level as the float the models see: byte / 255 in [0, 1] (not binarised).
inline float pixel_value(std::uint8_t byte) { return static_cast<float>(byte) / 255.0f; }

class ImageBytes {
 public:
  ImageBytes() = default;
  // Takes the bytes of n images of `pixels` values each, row-major (ValueError unless
  // bytes.size() == n * pixels).
  ImageBytes(std::vector<std::uint8_t> bytes, std::int64_t n, std::int64_t pixels);

  std::int64_t size() const { return rows_; }      // N
  std::int64_t pixels() const { return pixels_; }  // D
  // Image i's D bytes (0 <= i < N).
  const std::uint8_t* row(std::int64_t i) const;

  // Images [begin, end), sharing the bytes (no copy): the train/validation split, a block.
  ImageBytes rows(std::int64_t begin, std::int64_t end) const;
  // All N images as float32 pixel values (N, D): a new tensor, 4 bytes per pixel.
  Tensor to_float() const;
  // The images listed in `rows` as float32 pixel values into `out`, which must be a float32
  // tensor of shape (rows.size(), D): a mini-batch, gathered and converted in one pass.
  void gather_float_into(Tensor& out, const std::vector<std::int64_t>& rows) const;

 private:
  // Image i's pixel values into out[0, D).
  void convert_row(std::int64_t i, float* out) const;

  std::shared_ptr<const std::vector<std::uint8_t>> bytes_;
  std::int64_t first_ = 0;   // the first image of this view in *bytes_
  std::int64_t rows_ = 0;    // N
  std::int64_t pixels_ = 0;  // D
};

}  // namespace xtgrad::data
