// ImageBytes: grey levels kept as bytes, converted to float32 rows on request.
#include "data/image_bytes.hpp"

#include <string>
#include <utility>

namespace xtgrad::data {

ImageBytes::ImageBytes(std::vector<std::uint8_t> bytes, std::int64_t n, std::int64_t pixels)
    : rows_(n), pixels_(pixels) {
  if (n < 0 || pixels < 0 || static_cast<std::int64_t>(bytes.size()) != n * pixels) {
    throw ValueError("ImageBytes: " + std::to_string(bytes.size()) + " bytes cannot be " +
                     std::to_string(n) + " images of " + std::to_string(pixels) + " pixels");
  }
  bytes_ = std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
}

const std::uint8_t* ImageBytes::row(std::int64_t i) const {
  if (i < 0 || i >= rows_) {
    throw IndexError("ImageBytes::row: image " + std::to_string(i) + " is out of range for " +
                     std::to_string(rows_) + " images");
  }
  return bytes_->data() + (first_ + i) * pixels_;
}

ImageBytes ImageBytes::rows(std::int64_t begin, std::int64_t end) const {
  if (begin < 0 || begin > end || end > rows_) {
    throw IndexError("ImageBytes::rows: [" + std::to_string(begin) + ", " + std::to_string(end) +
                     ") is not a range of the " + std::to_string(rows_) + " images");
  }
  ImageBytes view = *this;
  view.first_ = first_ + begin;
  view.rows_ = end - begin;
  return view;
}

void ImageBytes::convert_row(std::int64_t i, float* out) const {
  const std::uint8_t* bytes = row(i);
  for (std::int64_t j = 0; j < pixels_; ++j) out[j] = pixel_value(bytes[j]);
}

Tensor ImageBytes::to_float() const {
  Tensor out = Tensor::empty({rows_, pixels_}, DType::float32);
  float* dst = out.data<float>();
  for (std::int64_t i = 0; i < rows_; ++i) convert_row(i, dst + i * pixels_);
  return out;
}

void ImageBytes::gather_float_into(Tensor& out, const std::vector<std::int64_t>& rows) const {
  const Shape expected{static_cast<std::int64_t>(rows.size()), pixels_};
  if (!out.defined() || out.dtype() != DType::float32 || out.shape() != expected) {
    throw ShapeError("ImageBytes::gather_float_into: " + std::to_string(rows.size()) +
                     " images of " + std::to_string(pixels_) + " pixels need a float32 output " +
                     shape_str(expected) + ", got " +
                     (out.defined() ? dtype_name(out.dtype()) + " " + shape_str(out.shape())
                                    : std::string("an undefined tensor")));
  }
  float* dst = out.data<float>();
  for (std::size_t r = 0; r < rows.size(); ++r)
    convert_row(rows[r], dst + static_cast<std::int64_t>(r) * pixels_);
  out.bump_version();
}

}  // namespace xtgrad::data
