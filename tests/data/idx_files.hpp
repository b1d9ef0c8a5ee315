#pragma once
// Small IDX files for the Fashion-MNIST loader's tests (test_fashion_mnist.cpp and
// test_idx_errors.cpp): their bytes, and a fixture that writes them, gzipped or plain, into a
// fresh folder for each test case.
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "../support/files.hpp"

namespace xtgrad::testing::idx {

using Bytes = std::vector<std::uint8_t>;

inline void append_big_endian(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// The bytes of an IDX file: the magic number, one size per dimension, then the elements.
inline std::string idx_file(std::uint32_t magic, const std::vector<std::uint32_t>& sizes,
                            const Bytes& elements) {
  std::string out;
  append_big_endian(out, magic);
  for (std::uint32_t size : sizes) append_big_endian(out, size);
  out.append(elements.begin(), elements.end());
  return out;
}

// `count` images of 28 x 28 pixels; pixel p of image i is (31 i + p) mod 256.
inline Bytes fashion_pixels(int count) {
  Bytes pixels;
  for (int i = 0; i < count; ++i) {
    for (int p = 0; p < 784; ++p) pixels.push_back(static_cast<std::uint8_t>((31 * i + p) % 256));
  }
  return pixels;
}

// Three 2 x 2 images and their labels.
inline const Bytes kPixels = {0, 51, 102, 255, 1, 2, 3, 4, 255, 254, 128, 0};
inline const Bytes kLabels = {9, 0, 3};

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

}  // namespace xtgrad::testing::idx
