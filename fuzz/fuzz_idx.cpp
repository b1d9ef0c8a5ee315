// Fuzzes the IDX reader (data/fashion_mnist.cpp) as images and as labels: magic
// numbers, dimension counts, sizes (capped, and checked against the file before the data is
// read: gzip bombs among the seeds), truncated or trailing data. zlib reads plain files as
// they are, so inputs need not be gzipped (the seed corpus has both).
#include <cstddef>
#include <cstdint>

#include "data/fashion_mnist.hpp"
#include "fuzz_input.hpp"
#include "tensor/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = xtgrad::fuzz::write_input(data, size, ".idx.gz");
  try {
    (void)xtgrad::data::read_idx_images(path, 100);
  } catch (const xtgrad::Error&) {
  }
  try {
    (void)xtgrad::data::read_idx_labels(path);
  } catch (const xtgrad::Error&) {
  }
  return 0;
}
