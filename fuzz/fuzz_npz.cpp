// Fuzzes the .npz reader (nn/checkpoint.cpp): zip directories, member sizes and CRCs (libzip),
// then each member's .npy bytes.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "nn/checkpoint.hpp"
#include "tensor/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = xtgrad::fuzz::write_input(data, size, ".npz");
  try {
    (void)xtgrad::nn::load_npz(path);
  } catch (const xtgrad::Error&) {
  }
  return 0;
}
