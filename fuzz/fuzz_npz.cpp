// Fuzzes the .npz reader (nn/checkpoint.cpp): zip directories, duplicate names, member sizes
// and CRCs (libzip), each member's .npy header against what is expected and against its
// listed size, then the members' .npy bytes; and the raw member config.json.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "nn/checkpoint.hpp"
#include "tensor/creation.hpp"
#include "tensor/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xtgrad;
  const std::string path = fuzz::write_input(data, size, ".npz");
  try {
    (void)nn::load_npz(path);
  } catch (const Error&) {
  }
  try {  // as load_checkpoint reads a model of two arrays
    nn::NpzExpectation expected;
    expected.arrays = {{"w", zeros({3})}, {"0.bias", zeros({2})}};
    expected.skipped = {"skipped/"};
    expected.budgets = {{"optimizer/", 4096}, {"fit/", 4096}};
    (void)nn::load_npz(path, expected);
  } catch (const Error&) {
  }
  try {
    (void)nn::load_npz_raw_member(path, "config.json");
  } catch (const Error&) {
  }
  return 0;
}
