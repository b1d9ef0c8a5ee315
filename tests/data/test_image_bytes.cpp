// ImageBytes: views that share the bytes, and conversions that give exactly the floats of the
// float32 loader (byte / 255.0f), so that training on bytes is training on the same numbers.
#include <cstdint>
#include <cstring>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "data/image_bytes.hpp"
#include "tensor/all.hpp"
#include "../support/throws.hpp"

using namespace xtgrad;
using namespace xtgrad::data;
using xtgrad::testing::check_throws;

namespace {

// n images of d pixels; pixel j of image i is (7 i + j) mod 256, so that every byte occurs.
ImageBytes numbered_images(std::int64_t n, std::int64_t d) {
  std::vector<std::uint8_t> bytes;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < d; ++j)
      bytes.push_back(static_cast<std::uint8_t>((7 * i + j) % 256));
  }
  return ImageBytes(bytes, n, d);
}

// True when a and b are float32 tensors of one shape holding the same bits.
bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == DType::float32 && b.dtype() == DType::float32 && a.shape() == b.shape() &&
         std::memcmp(a.data<float>(), b.data<float>(), static_cast<std::size_t>(a.numel()) * 4) ==
             0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(image_bytes)

BOOST_AUTO_TEST_CASE(converts_every_byte_to_byte_over_255) {
  const ImageBytes images = numbered_images(3, 256);  // image 0 holds 0, 1, ..., 255
  const Tensor x = images.to_float();
  BOOST_TEST(x.shape() == (Shape{3, 256}));
  const float* values = x.data<float>();
  for (int b = 0; b < 256; ++b) {
    BOOST_TEST(values[b] == static_cast<float>(b) / 255.0f, "byte " << b);
  }
  BOOST_TEST(values[0] == 0.0f);
  BOOST_TEST(values[255] == 1.0f);
}

BOOST_AUTO_TEST_CASE(rows_share_the_bytes) {
  const ImageBytes images = numbered_images(10, 4);
  const ImageBytes validation = images.rows(7, 10);
  BOOST_TEST(validation.size() == 3);
  BOOST_TEST(validation.pixels() == 4);
  BOOST_TEST(validation.row(0) == images.row(7));  // the same memory: the split copies nothing
  BOOST_TEST(validation.rows(1, 3).row(0) == images.row(8));
  BOOST_TEST(same_bits(validation.to_float(), images.to_float().rows(7, 10)));
  BOOST_TEST(images.rows(4, 4).size() == 0);
}

BOOST_AUTO_TEST_CASE(a_gathered_batch_holds_the_rows_of_the_float_copy) {
  const ImageBytes images = numbered_images(40, 784);
  const std::vector<std::int64_t> rows = {39, 0, 17, 17, 5};
  Tensor batch = Tensor::empty({5, 784});
  images.gather_float_into(batch, rows);
  BOOST_TEST(same_bits(batch, gather_rows(images.to_float(), rows)));
}

BOOST_AUTO_TEST_CASE(errors_name_the_operation_and_the_sizes) {
  check_throws<ValueError>([&] { ImageBytes(std::vector<std::uint8_t>(10), 3, 4); },
                           {"ImageBytes", "10 bytes", "3 images of 4 pixels"});
  const ImageBytes images = numbered_images(5, 4);
  check_throws<IndexError>([&] { images.rows(3, 6); }, {"ImageBytes::rows", "[3, 6)", "5 images"});
  check_throws<IndexError>([&] { images.row(5); }, {"ImageBytes::row", "image 5", "5 images"});
  Tensor wrong = Tensor::empty({2, 3});
  check_throws<ShapeError>(
      [&] {
        images.gather_float_into(wrong, {0, 1});
      },
      {"gather_float_into", "(2, 4)", "float32 (2, 3)"});
  Tensor doubles = Tensor::empty({2, 4}, DType::float64);
  check_throws<ShapeError>(
      [&] {
        images.gather_float_into(doubles, {0, 1});
      },
      {"gather_float_into", "float64 (2, 4)"});
  Tensor batch = Tensor::empty({1, 4});
  check_throws<IndexError>([&] { images.gather_float_into(batch, {7}); }, {"image 7", "5 images"});
}

BOOST_AUTO_TEST_SUITE_END()
