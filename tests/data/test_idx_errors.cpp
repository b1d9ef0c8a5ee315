// The Fashion-MNIST loader on damaged files: each must end in a FileError that names the file
// and what is wrong with it, never in a crash or in another exception type.
#include <cstdint>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "data/fashion_mnist.hpp"
#include "idx_files.hpp"
#include "../support/fashion_mnist.hpp"

using namespace xtgrad;
using namespace xtgrad::data;
using namespace xtgrad::testing::idx;
using xtgrad::testing::message_has;

BOOST_FIXTURE_TEST_SUITE(fashion_mnist_errors, IdxFiles)

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
