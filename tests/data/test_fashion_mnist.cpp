// The Fashion-MNIST loader, on small IDX files that each test writes into its own temporary
// directory (gzipped with zlib like the real files, or plain: idx_files.hpp), and on the real
// files when Debian's dataset-fashion-mnist is installed. Damaged files: test_idx_errors.cpp.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "data/fashion_mnist.hpp"
#include "idx_files.hpp"
#include "../support/fashion_mnist.hpp"
#include "../support/throws.hpp"

namespace utf = boost::unit_test;
using namespace xtgrad;
using namespace xtgrad::data;
using namespace xtgrad::testing::idx;
using xtgrad::testing::check_throws;

namespace {

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
  check_throws<ValueError>([&] { read_idx_images(images_path, -2); },
                           {"read_idx_images", "limit", "-2"});
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
  BOOST_TEST(std::memcmp(converted.data<float>(), floats.images.data<float>(),
                         5 * 784 * sizeof(float)) == 0);
  BOOST_TEST(bytes.labels.to_vector<std::int64_t>() == floats.labels.to_vector<std::int64_t>(),
             boost::test_tools::per_element());
  check_throws<FileError>([&] { load_fashion_mnist_bytes(Split::test, dir.path.string()); },
                          {"load_fashion_mnist_bytes", "t10k-images-idx3-ubyte"});
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

BOOST_AUTO_TEST_CASE(debian_files, *utf::precondition(xtgrad::testing::fashion_mnist_installed)) {
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
