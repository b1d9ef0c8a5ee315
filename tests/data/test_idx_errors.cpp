// The Fashion-MNIST loader on damaged files: each must end in a FileError that names the file
// and what is wrong with it, never in a crash or in another exception type.
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "data/fashion_mnist.hpp"
#include "idx_files.hpp"
#include "../support/bombs.hpp"
#include "../support/fashion_mnist.hpp"
#include "../support/throws.hpp"

using namespace xtgrad;
using namespace xtgrad::data;
using namespace xtgrad::testing::idx;
using xtgrad::testing::check_refused_cheaply;
using xtgrad::testing::check_throws;
using xtgrad::testing::gzip_file;

constexpr std::uint64_t k256MiB = std::uint64_t{256} << 20;

BOOST_FIXTURE_TEST_SUITE(fashion_mnist_errors, IdxFiles)

BOOST_AUTO_TEST_CASE(missing_file) {
  const std::string path = dir.file("no-such-file.gz");
  check_throws<FileError>([&] { read_idx_images(path); },
                          {"read_idx_images", path, "cannot open", "No such file"});
}

BOOST_AUTO_TEST_CASE(missing_directory) {
  const std::string missing = dir.file("nowhere");
  check_throws<FileError>([&] { load_fashion_mnist(Split::train, missing); },
                          {missing, "dataset-fashion-mnist", "XTGRAD_FASHION_MNIST_DIR"});
}

BOOST_AUTO_TEST_CASE(missing_file_in_directory) {
  write_split("train", 2, 2);
  check_throws<FileError>([&] { load_fashion_mnist(Split::test, dir.path.string()); },
                          {"t10k-images-idx3-ubyte.gz", "cannot open"});
}

BOOST_AUTO_TEST_CASE(bad_magic_number) {
  const std::string path = write_gz("bad.gz", idx_file(0x12345678, {3, 2, 2}, kPixels));
  check_throws<FileError>([&] { read_idx_images(path); },
                          {path, "magic number is 305419896", "expected 2051"});
}

BOOST_AUTO_TEST_CASE(wrong_number_of_dimensions) {
  const std::string labels = write_gz("labels.gz", idx_file(2049, {3}, kLabels));
  check_throws<FileError>([&] { read_idx_images(labels); },
                          {labels, "1-dimensional", "2049", "3-dimensional images", "2051"});
  const std::string images = write_gz("images.gz", idx_file(2051, {3, 2, 2}, kPixels));
  check_throws<FileError>([&] { read_idx_labels(images); },
                          {images, "3-dimensional", "2051", "1-dimensional labels", "2049"});
}

BOOST_AUTO_TEST_CASE(empty_file) {
  const std::string path = write_plain("empty", "");
  check_throws<FileError>([&] { read_idx_labels(path); }, {path, "truncated", "0 bytes"});
}

BOOST_AUTO_TEST_CASE(truncated_header) {
  const std::string path = write_gz("short.gz", idx_file(2051, {3, 2}, {}));
  check_throws<FileError>([&] { read_idx_images(path); },
                          {path, "truncated", "header should be 16 bytes, got 12"});
}

BOOST_AUTO_TEST_CASE(implausible_sizes) {
  const std::string path = write_gz("huge.gz", idx_file(2051, {0xffffffff, 0xffffffff, 28}, {}));
  check_throws<FileError>([&] { read_idx_images(path); }, {path, "implausible sizes"});
  // No images, but rows * cols of the (0, rows * cols) result would overflow 64 bits.
  const std::string empty =
      write_gz("empty_huge.gz", idx_file(2051, {0, 0xffffffff, 0xffffffff}, {}));
  check_throws<FileError>([&] { read_idx_images(empty); }, {empty, "implausible sizes"});
}

BOOST_AUTO_TEST_CASE(truncated_data) {
  const Bytes eight(kPixels.begin(), kPixels.begin() + 8);
  const std::string path = write_gz("short.gz", idx_file(2051, {3, 2, 2}, eight));
  check_throws<FileError>([&] { read_idx_images(path); },
                          {path, "truncated", "expected 12 bytes", "got 8"});
}

// A header may claim at most idx_max_items (1,000,000) images or labels and idx_max_bytes
// (784,000,000: a million 28 x 28 images): beyond that it is refused before any data is read.
BOOST_AUTO_TEST_CASE(a_header_beyond_the_caps_is_refused_before_any_data_is_read) {
  const std::string labels = write_gz("labels.gz", idx_file(2049, {1000001}, kLabels));
  check_throws<FileError>([&] { read_idx_labels(labels); },
                          {labels, "implausible sizes", "1000001 labels, more than the 1000000"});
  const std::string terabyte =
      write_gz("terabyte.gz", idx_file(2051, {0x400000, 0x800, 0x80}, kPixels));
  check_throws<FileError>([&] { read_idx_images(terabyte); },
                          {terabyte, "implausible sizes", "4194304 images, more than the 1000000"});
  const std::string big = write_gz("big.gz", idx_file(2051, {1000, 1000, 1000}, kPixels));
  check_throws<FileError>(
      [&] { read_idx_images(big); },
      {big, "implausible sizes", "1000 x 1000 x 1000 is more than the 784000000 bytes"});
}

// The reviewer's bomb: a 260 KB gzip whose header claims 1.4e9 images and whose body is 256 MiB
// of zeros. It used to be read (4.2 GB for its 3.1 MB version) before it was called truncated.
BOOST_AUTO_TEST_CASE(a_gzip_claiming_1_4e9_images_is_refused_at_once) {
  const std::string path =
      write_plain("bomb.gz", gzip_file(idx_file(2051, {1400000000, 28, 28}, {}), k256MiB));
  check_refused_cheaply([&] {
    check_throws<FileError>(
        [&] { read_idx_images(path); },
        {path, "implausible sizes", "1400000000 images, more than the 1000000"});
  });
}

// Within the caps, a gzip file's claim is checked against what its size can hold (deflate
// expands at most 1032 times) and against its trailer's length (ISIZE), before the data is
// read: a file claiming more than it holds costs at most 1 MiB to refuse.
BOOST_AUTO_TEST_CASE(a_gzip_holding_less_than_its_header_claims_is_refused_at_once) {
  // A million images claimed, 260 KB that can hold 268 MB at most.
  const std::string path =
      write_plain("bomb.gz", gzip_file(idx_file(2051, {1000000, 28, 28}, {}), k256MiB));
  check_refused_cheaply([&] {
    check_throws<FileError>(
        [&] { read_idx_images(path); },
        {path, "truncated", "claims 784000000 bytes of images", "can expand to", "at most"});
  });
  // 100,000 images claimed (78.4 MB), 200 KB of noise and 60 MiB of zeros held: small enough
  // for its size, but its trailer says 63 MB.
  Bytes noise(200000);
  std::mt19937 gen(1);
  for (std::uint8_t& b : noise) b = static_cast<std::uint8_t>(gen());
  const std::string short_path = write_plain(
      "short.gz", gzip_file(idx_file(2051, {100000, 28, 28}, noise), std::uint64_t{60} << 20));
  check_refused_cheaply([&] {
    check_throws<FileError>([&] { read_idx_images(short_path); },
                            {short_path, "truncated", "expected 78400000 bytes of images",
                             "got " + std::to_string(200000 + (60 << 20))});
  });
}

// A plain file's size says at once whether the data the header claims is all there.
BOOST_AUTO_TEST_CASE(a_plain_file_claiming_more_or_less_than_its_size_is_refused_at_once) {
  const std::string path = write_plain("short", idx_file(2051, {1000000, 28, 28}, {}));
  std::filesystem::resize_file(path, 16 + k256MiB);  // sparse: 256 MiB of zeros that take no disk
  check_refused_cheaply([&] {
    check_throws<FileError>(
        [&] { read_idx_images(path); },
        {path, "truncated", "expected 784000000 bytes of images", "got 268435456"});
  });
  const std::string longer = write_plain("long", idx_file(2049, {3}, kLabels));
  std::filesystem::resize_file(longer, 11 + k256MiB);
  check_refused_cheaply([&] {
    check_throws<FileError>([&] { read_idx_labels(longer); },
                            {longer, "268435456 unexpected bytes", "after its 3 bytes of labels"});
  });
}

// Bytes after the data are counted up to 1 MiB and never kept: 256 MiB of zeros after three
// labels cost no more than three labels.
BOOST_AUTO_TEST_CASE(gzip_bytes_after_the_data_are_counted_without_being_kept) {
  const std::string path = write_plain("long.gz", gzip_file(idx_file(2049, {3}, kLabels), k256MiB));
  check_refused_cheaply([&] {
    check_throws<FileError>(
        [&] { read_idx_labels(path); },
        {path, "more than 1048576 unexpected bytes", "after its 3 bytes of labels"});
  });
}

// A gzip file may hold several members (as `cat a.gz b.gz` makes), read one after the other;
// its trailer's length is then the last member's only, which must not make it look short.
BOOST_AUTO_TEST_CASE(a_gzip_file_of_several_members_is_read_whole) {
  const std::string content = idx_file(2051, {3, 2, 2}, kPixels);
  const std::string path =
      write_plain("two.gz", gzip_file(content.substr(0, 20), 0) + gzip_file(content.substr(20), 0));
  const Tensor images = read_idx_images(path);
  BOOST_TEST(
      images.to_vector<float>() == read_idx_images(write_gz("one.gz", content)).to_vector<float>(),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(trailing_bytes) {
  Bytes longer = kLabels;
  longer.insert(longer.end(), {1, 2, 3, 4, 5});
  const std::string path = write_gz("long.gz", idx_file(2049, {3}, longer));
  check_throws<FileError>([&] { read_idx_labels(path); },
                          {path, "5 unexpected bytes", "after its 3 bytes of labels"});
}

BOOST_AUTO_TEST_CASE(damaged_gzip_stream) {
  // A gzip file cut in half: zlib reports the missing end of the compressed stream.
  const std::string whole = write_gz("whole.gz", idx_file(2051, {3, 28, 28}, fashion_pixels(3)));
  std::ifstream in(whole, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string path = write_plain("cut.gz", bytes.substr(0, bytes.size() / 2));
  check_throws<FileError>([&] { read_idx_images(path); },
                          {path, "cannot read", "unexpected end of file"});
  // The same file with a few compressed bytes in the middle overwritten.
  std::string corrupt = bytes;
  for (std::size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 8; ++i) corrupt[i] ^= 0x5a;
  const std::string corrupt_path = write_plain("corrupt.gz", corrupt);
  check_throws<FileError>([&] { read_idx_images(corrupt_path); }, {corrupt_path, "cannot read"});
}

BOOST_AUTO_TEST_CASE(label_out_of_range) {
  const std::string path = write_gz("labels.gz", idx_file(2049, {3}, {1, 10, 2}));
  check_throws<FileError>([&] { read_idx_labels(path); }, {path, "label 10 at index 1", "0..9"});
}

BOOST_AUTO_TEST_CASE(image_and_label_counts_differ) {
  write_split("train", 5, 4);
  check_throws<FileError>(
      [&] { load_fashion_mnist(Split::train, dir.path.string()); },
      {"train-images-idx3-ubyte.gz", "5 images", "train-labels-idx1-ubyte.gz", "4 labels"});
}

BOOST_AUTO_TEST_CASE(images_not_28_by_28) {
  write_gz("train-images-idx3-ubyte.gz", idx_file(2051, {3, 2, 2}, kPixels));
  write_gz("train-labels-idx1-ubyte.gz", idx_file(2049, {3}, kLabels));
  check_throws<FileError>([&] { load_fashion_mnist(Split::train, dir.path.string()); },
                          {"train-images-idx3-ubyte.gz", "2 x 2", "expected 28 x 28"});
}

BOOST_AUTO_TEST_SUITE_END()
