// The Fashion-MNIST loader, on small IDX files that each test writes into its own temporary
// directory (gzipped with zlib like the real files, or plain), and on the real files when
// Debian's dataset-fashion-mnist is installed.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "../support/files.hpp"
#include "data/fashion_mnist.hpp"
#include "../support/fashion_mnist.hpp"

namespace utf = boost::unit_test;
using namespace xtgrad;
using namespace xtgrad::data;
using xtgrad::testing::message_has;

namespace {

using Bytes = std::vector<std::uint8_t>;

void append_big_endian(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// The bytes of an IDX file: the magic number, one size per dimension, then the elements.
std::string idx_file(std::uint32_t magic, const std::vector<std::uint32_t>& sizes,
                     const Bytes& elements) {
  std::string out;
  append_big_endian(out, magic);
  for (std::uint32_t size : sizes) append_big_endian(out, size);
  out.append(elements.begin(), elements.end());
  return out;
}

// `count` images of 28 x 28 pixels; pixel p of image i is (31 i + p) mod 256.
Bytes fashion_pixels(int count) {
  Bytes pixels;
  for (int i = 0; i < count; ++i) {
    for (int p = 0; p < 784; ++p) pixels.push_back(static_cast<std::uint8_t>((31 * i + p) % 256));
  }
  return pixels;
}

// Three 2 x 2 images and their labels.
const Bytes kPixels = {0, 51, 102, 255, 1, 2, 3, 4, 255, 254, 128, 0};
const Bytes kLabels = {9, 0, 3};

// The suite's fixture: a fresh folder for each test case, and ways to write IDX files into it.
struct IdxFiles {
  testing::TempDir dir;

  // Writes `content` gzipped, as Debian ships the files, and returns the path.
  std::string write_gz(const std::string& name, const std::string& content) const {
    const std::string path = dir.file(name);
    gzFile file = gzopen(path.c_str(), "wb");
    BOOST_REQUIRE(file != nullptr);
    BOOST_REQUIRE(gzwrite(file, content.data(), static_cast<unsigned>(content.size())) ==
                  static_cast<int>(content.size()));
    BOOST_REQUIRE(gzclose(file) == Z_OK);
    return path;
  }

  // Writes `content` as it is and returns the path.
  std::string write_plain(const std::string& name, const std::string& content) const {
    const std::string path = dir.file(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // A split as load_fashion_mnist expects it: prefix "train" or "t10k".
  void write_split(const std::string& prefix, int images, int labels, bool gzipped = true) const {
    Bytes label_bytes;
    for (int i = 0; i < labels; ++i) label_bytes.push_back(static_cast<std::uint8_t>(i % 10));
    const std::string image_file =
        idx_file(2051, {std::uint32_t(images), 28, 28}, fashion_pixels(images));
    const std::string label_file = idx_file(2049, {std::uint32_t(labels)}, label_bytes);
    if (gzipped) {
      write_gz(prefix + "-images-idx3-ubyte.gz", image_file);
      write_gz(prefix + "-labels-idx1-ubyte.gz", label_file);
    } else {
      write_plain(prefix + "-images-idx3-ubyte", image_file);
      write_plain(prefix + "-labels-idx1-ubyte", label_file);
    }
  }
};

// Sets an environment variable for one scope and restores it afterwards.
struct ScopedEnv {
  std::string name;
  bool had_value;
  std::string old_value;

  ScopedEnv(const std::string& name_, const char* value) : name(name_) {
    const char* old = std::getenv(name.c_str());
    had_value = old != nullptr;
    old_value = had_value ? old : "";
    if (value != nullptr) {
      setenv(name.c_str(), value, 1);
    } else {
      unsetenv(name.c_str());
    }
  }
  ~ScopedEnv() {
    if (had_value) {
      setenv(name.c_str(), old_value.c_str(), 1);
    } else {
      unsetenv(name.c_str());
    }
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(fashion_mnist, IdxFiles)

// --- reading ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(reads_gzipped_images_as_pixels_over_255) {
  const std::string path = write_gz("images.gz", idx_file(2051, {3, 2, 2}, kPixels));
  const Tensor images = read_idx_images(path);
  BOOST_TEST(images.dtype() == DType::float32);
  BOOST_TEST(images.shape() == (Shape{3, 4}));
  const std::vector<float> values = images.to_vector<float>();
  for (std::size_t i = 0; i < kPixels.size(); ++i) {
    BOOST_TEST(values[i] == static_cast<float>(kPixels[i]) / 255.0f);
  }
  BOOST_TEST(values[1] == 0.2f);  // 51 / 255: grey levels are kept, not binarised
  BOOST_TEST(values[3] == 1.0f);
  BOOST_TEST(values[11] == 0.0f);
}

BOOST_AUTO_TEST_CASE(reads_uncompressed_images) {
  const std::string path = write_plain("images", idx_file(2051, {3, 2, 2}, kPixels));
  const Tensor images = read_idx_images(path);
  BOOST_TEST(images.shape() == (Shape{3, 4}));
  BOOST_TEST(images.at({2, 1}) == 254.0 / 255.0, boost::test_tools::tolerance(1e-7));
}

BOOST_AUTO_TEST_CASE(reads_labels_as_int64) {
  const std::string path = write_gz("labels.gz", idx_file(2049, {3}, kLabels));
  const Tensor labels = read_idx_labels(path);
  BOOST_TEST(labels.dtype() == DType::int64);
  BOOST_TEST(labels.shape() == (Shape{3}));
  BOOST_TEST(labels.to_vector<std::int64_t>() == (std::vector<std::int64_t>{9, 0, 3}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(limit_keeps_the_first_rows) {
  const std::string images_path = write_gz("images.gz", idx_file(2051, {3, 2, 2}, kPixels));
  const std::string labels_path = write_gz("labels.gz", idx_file(2049, {3}, kLabels));
  const Tensor two = read_idx_images(images_path, 2);
  BOOST_TEST(two.shape() == (Shape{2, 4}));
  BOOST_TEST(two.at({1, 3}) == 4.0 / 255.0, boost::test_tools::tolerance(1e-7));
  BOOST_TEST(read_idx_images(images_path, 10).shape() == (Shape{3, 4}));  // at most all
  BOOST_TEST(read_idx_images(images_path, 0).shape() == (Shape{0, 4}));
  BOOST_TEST(read_idx_labels(labels_path, 1).to_vector<std::int64_t>() ==
             std::vector<std::int64_t>{9});
  BOOST_CHECK_EXCEPTION(read_idx_images(images_path, -2), ValueError,
                        message_has({"read_idx_images", "limit", "-2"}));
}

BOOST_AUTO_TEST_CASE(loads_both_splits_from_a_directory) {
  write_split("train", 5, 5);
  write_split("t10k", 3, 3, /*gzipped=*/false);  // names without .gz are found too

  const ImageSet train = load_fashion_mnist(Split::train, dir.path.string());
  BOOST_TEST(train.images.shape() == (Shape{5, 784}));
  BOOST_TEST(train.labels.to_vector<std::int64_t>() == (std::vector<std::int64_t>{0, 1, 2, 3, 4}),
             boost::test_tools::per_element());
  BOOST_TEST(train.images.at({1, 0}) == 31.0 / 255.0, boost::test_tools::tolerance(1e-7));

  const ImageSet test = load_fashion_mnist(Split::test, dir.path.string());
  BOOST_TEST(test.images.shape() == (Shape{3, 784}));
  BOOST_TEST(test.labels.shape() == (Shape{3}));

  const ImageSet first_two = load_fashion_mnist(Split::train, dir.path.string(), 2);
  BOOST_TEST(first_two.images.shape() == (Shape{2, 784}));
  BOOST_TEST(first_two.labels.shape() == (Shape{2}));
}

// The command trains on the bytes: converted, they must be the float loader's numbers bit for bit.
BOOST_AUTO_TEST_CASE(bytes_loader_gives_the_float_loaders_numbers) {
  write_split("train", 7, 7);
  const ImageSet floats = load_fashion_mnist(Split::train, dir.path.string(), 5);
  const ByteImageSet bytes = load_fashion_mnist_bytes(Split::train, dir.path.string(), 5);
  BOOST_TEST(bytes.images.size() == 5);
  BOOST_TEST(bytes.images.pixels() == 784);
  BOOST_TEST(bytes.images.row(1)[0] == 31);  // pixel p of image i is (31 i + p) mod 256
  const Tensor converted = bytes.images.to_float();
  BOOST_TEST(converted.shape() == floats.images.shape());
  BOOST_TEST(std::memcmp(converted.data<float>(), floats.images.data<float>(), 5 * 784 * sizeof(float)) == 0);
  BOOST_TEST(bytes.labels.to_vector<std::int64_t>() == floats.labels.to_vector<std::int64_t>(),
             boost::test_tools::per_element());
  BOOST_CHECK_EXCEPTION(load_fashion_mnist_bytes(Split::test, dir.path.string()), FileError,
                        message_has({"load_fashion_mnist_bytes", "t10k-images-idx3-ubyte"}));
}

BOOST_AUTO_TEST_CASE(default_directory_follows_the_environment) {
  {
    ScopedEnv env("XTGRAD_FASHION_MNIST_DIR", dir.path.string().c_str());
    BOOST_TEST(default_fashion_mnist_dir() == dir.path.string());
  }
  {
    ScopedEnv env("XTGRAD_FASHION_MNIST_DIR", nullptr);
    BOOST_TEST(default_fashion_mnist_dir() == "/usr/share/datasets/fashion-mnist");
  }
  {
    ScopedEnv env("XTGRAD_FASHION_MNIST_DIR", "");
    BOOST_TEST(default_fashion_mnist_dir() == "/usr/share/datasets/fashion-mnist");
  }
}

BOOST_AUTO_TEST_CASE(class_names) {
  BOOST_TEST(fashion_mnist_classes.size() == 10u);
  BOOST_TEST(std::string(fashion_mnist_classes[0]) == "T-shirt/top");
  BOOST_TEST(std::string(fashion_mnist_classes[6]) == "Shirt");
  BOOST_TEST(std::string(fashion_mnist_classes[9]) == "Ankle boot");
}

// --- errors: each one names the file and the problem ---------------------------------------

BOOST_AUTO_TEST_CASE(missing_file) {
  const std::string path = dir.file("no-such-file.gz");
  BOOST_CHECK_EXCEPTION(read_idx_images(path), FileError,
                        message_has({"read_idx_images", path, "cannot open", "No such file"}));
}

BOOST_AUTO_TEST_CASE(missing_directory) {
  const std::string missing = dir.file("nowhere");
  BOOST_CHECK_EXCEPTION(load_fashion_mnist(Split::train, missing), FileError,
                        message_has({missing, "dataset-fashion-mnist",
                                     "XTGRAD_FASHION_MNIST_DIR"}));
}

BOOST_AUTO_TEST_CASE(missing_file_in_directory) {
  write_split("train", 2, 2);
  BOOST_CHECK_EXCEPTION(load_fashion_mnist(Split::test, dir.path.string()), FileError,
                        message_has({"t10k-images-idx3-ubyte.gz", "cannot open"}));
}

BOOST_AUTO_TEST_CASE(bad_magic_number) {
  const std::string path = write_gz("bad.gz", idx_file(0x12345678, {3, 2, 2}, kPixels));
  BOOST_CHECK_EXCEPTION(read_idx_images(path), FileError,
                        message_has({path, "magic number is 305419896", "expected 2051"}));
}

BOOST_AUTO_TEST_CASE(wrong_number_of_dimensions) {
  const std::string labels = write_gz("labels.gz", idx_file(2049, {3}, kLabels));
  BOOST_CHECK_EXCEPTION(read_idx_images(labels), FileError,
                        message_has({labels, "1-dimensional", "2049", "3-dimensional images",
                                     "2051"}));
  const std::string images = write_gz("images.gz", idx_file(2051, {3, 2, 2}, kPixels));
  BOOST_CHECK_EXCEPTION(read_idx_labels(images), FileError,
                        message_has({images, "3-dimensional", "2051", "1-dimensional labels",
                                     "2049"}));
}

BOOST_AUTO_TEST_CASE(empty_file) {
  const std::string path = write_plain("empty", "");
  BOOST_CHECK_EXCEPTION(read_idx_labels(path), FileError,
                        message_has({path, "truncated", "0 bytes"}));
}

BOOST_AUTO_TEST_CASE(truncated_header) {
  const std::string path = write_gz("short.gz", idx_file(2051, {3, 2}, {}));
  BOOST_CHECK_EXCEPTION(read_idx_images(path), FileError,
                        message_has({path, "truncated", "header should be 16 bytes, got 12"}));
}

BOOST_AUTO_TEST_CASE(implausible_sizes) {
  const std::string path = write_gz("huge.gz", idx_file(2051, {0xffffffff, 0xffffffff, 28}, {}));
  BOOST_CHECK_EXCEPTION(read_idx_images(path), FileError,
                        message_has({path, "implausible sizes"}));
  // No images, but rows * cols of the (0, rows * cols) result would overflow 64 bits.
  const std::string empty = write_gz("empty_huge.gz", idx_file(2051, {0, 0xffffffff, 0xffffffff}, {}));
  BOOST_CHECK_EXCEPTION(read_idx_images(empty), FileError,
                        message_has({empty, "implausible sizes"}));
}

BOOST_AUTO_TEST_CASE(truncated_data) {
  const Bytes eight(kPixels.begin(), kPixels.begin() + 8);
  const std::string path = write_gz("short.gz", idx_file(2051, {3, 2, 2}, eight));
  BOOST_CHECK_EXCEPTION(read_idx_images(path), FileError,
                        message_has({path, "truncated", "expected 12 bytes", "got 8"}));
}

// A header may claim up to 2^40 bytes (a terabyte) that the file does not hold: the reader must
// say the file is truncated, not try to set that much memory aside (std::bad_alloc or
// std::length_error, which the command would not report as a file error, and the fuzzer as a crash).
BOOST_AUTO_TEST_CASE(a_header_claiming_a_terabyte_gives_a_truncation_error) {
  const std::string path = write_gz("terabyte.gz", idx_file(2051, {0x400000, 0x800, 0x80}, kPixels));
  BOOST_CHECK_EXCEPTION(read_idx_images(path), FileError,
                        message_has({path, "truncated", "expected 1099511627776 bytes", "got 12"}));
}

BOOST_AUTO_TEST_CASE(trailing_bytes) {
  Bytes longer = kLabels;
  longer.insert(longer.end(), {1, 2, 3, 4, 5});
  const std::string path = write_gz("long.gz", idx_file(2049, {3}, longer));
  BOOST_CHECK_EXCEPTION(read_idx_labels(path), FileError,
                        message_has({path, "5 unexpected bytes", "after its 3 bytes of labels"}));
}

BOOST_AUTO_TEST_CASE(damaged_gzip_stream) {
  // A gzip file cut in half: zlib reports the missing end of the compressed stream.
  const std::string whole = write_gz("whole.gz", idx_file(2051, {3, 28, 28}, fashion_pixels(3)));
  std::ifstream in(whole, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string path = write_plain("cut.gz", bytes.substr(0, bytes.size() / 2));
  BOOST_CHECK_EXCEPTION(read_idx_images(path), FileError,
                        message_has({path, "cannot read", "unexpected end of file"}));
  // The same file with a few compressed bytes in the middle overwritten.
  std::string corrupt = bytes;
  for (std::size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 8; ++i) corrupt[i] ^= 0x5a;
  const std::string corrupt_path = write_plain("corrupt.gz", corrupt);
  BOOST_CHECK_EXCEPTION(read_idx_images(corrupt_path), FileError,
                        message_has({corrupt_path, "cannot read"}));
}

BOOST_AUTO_TEST_CASE(label_out_of_range) {
  const std::string path = write_gz("labels.gz", idx_file(2049, {3}, {1, 10, 2}));
  BOOST_CHECK_EXCEPTION(read_idx_labels(path), FileError,
                        message_has({path, "label 10 at index 1", "0..9"}));
}

BOOST_AUTO_TEST_CASE(image_and_label_counts_differ) {
  write_split("train", 5, 4);
  BOOST_CHECK_EXCEPTION(load_fashion_mnist(Split::train, dir.path.string()), FileError,
                        message_has({"train-images-idx3-ubyte.gz", "5 images",
                                     "train-labels-idx1-ubyte.gz", "4 labels"}));
}

BOOST_AUTO_TEST_CASE(images_not_28_by_28) {
  write_gz("train-images-idx3-ubyte.gz", idx_file(2051, {3, 2, 2}, kPixels));
  write_gz("train-labels-idx1-ubyte.gz", idx_file(2049, {3}, kLabels));
  BOOST_CHECK_EXCEPTION(load_fashion_mnist(Split::train, dir.path.string()), FileError,
                        message_has({"train-images-idx3-ubyte.gz", "2 x 2", "expected 28 x 28"}));
}

BOOST_AUTO_TEST_SUITE_END()

// --- the real files -------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(fashion_mnist_real_files)

namespace {

// Counts of each class 0..9.
std::array<std::int64_t, 10> class_counts(const Tensor& labels) {
  std::array<std::int64_t, 10> counts{};
  for (std::int64_t label : labels.to_vector<std::int64_t>()) {
    ++counts[static_cast<std::size_t>(label)];
  }
  return counts;
}

}  // namespace

BOOST_AUTO_TEST_CASE(debian_files_as_bytes_convert_to_the_float_images,
                     *utf::precondition(xtgrad::testing::fashion_mnist_installed)) {
  const ImageSet floats = load_fashion_mnist(Split::test);
  const ByteImageSet bytes = load_fashion_mnist_bytes(Split::test);
  const Tensor converted = bytes.images.to_float();
  BOOST_TEST(converted.shape() == (Shape{10000, 784}));
  BOOST_TEST(std::memcmp(converted.data<float>(), floats.images.data<float>(),
                         static_cast<std::size_t>(converted.numel()) * sizeof(float)) == 0);
}

BOOST_AUTO_TEST_CASE(debian_files,
                     *utf::precondition(xtgrad::testing::fashion_mnist_installed)) {
  const auto start = std::chrono::steady_clock::now();
  const ImageSet train = load_fashion_mnist(Split::train);
  const ImageSet test = load_fashion_mnist(Split::test);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("loading both splits took " << seconds << " s");

  BOOST_TEST(train.images.shape() == (Shape{60000, 784}));
  BOOST_TEST(train.labels.shape() == (Shape{60000}));
  BOOST_TEST(test.images.shape() == (Shape{10000, 784}));
  BOOST_TEST(test.labels.shape() == (Shape{10000}));

  BOOST_TEST(train.labels.at({0}) == 9.0);  // the first training image is an ankle boot
  for (std::int64_t count : class_counts(train.labels)) BOOST_TEST(count == 6000);
  for (std::int64_t count : class_counts(test.labels)) BOOST_TEST(count == 1000);

  // Mean pixel / 255 over the training set, summed in double.
  const float* pixels = train.images.data<float>();
  double total = 0.0;
  float lowest = 1.0f, highest = 0.0f;
  for (std::int64_t i = 0; i < train.images.numel(); ++i) {
    total += pixels[i];
    lowest = std::min(lowest, pixels[i]);
    highest = std::max(highest, pixels[i]);
  }
  const double mean_pixel = total / static_cast<double>(train.images.numel());
  BOOST_TEST(std::abs(mean_pixel - 0.2860) <= 1e-4, "mean pixel " << mean_pixel);
  BOOST_TEST(lowest == 0.0f);
  BOOST_TEST(highest == 1.0f);
}

BOOST_AUTO_TEST_SUITE_END()
