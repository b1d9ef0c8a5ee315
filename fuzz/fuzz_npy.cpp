// Fuzzes the .npy reader (tensor/npy.cpp) on bytes in memory: the header parser (dict literal,
// dtype, shape, sizes that overflow) and the data that must follow it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tensor/errors.hpp"
#include "tensor/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const xtgrad::Tensor t =
        xtgrad::from_npy_bytes(std::string(reinterpret_cast<const char*>(data), size));
    (void)t.numel();
  } catch (const xtgrad::Error&) {
    // a clear, typed refusal: what bad input should get
  }
  return 0;
}
