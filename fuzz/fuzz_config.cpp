// Fuzzes the JSON config reader (autoencoders/config.cpp): JSON syntax, unknown keys, wrong
// types, numbers that do not fit, then the range checks, then writing the config back out.
// Every error is one short line (fuzz_config_nesting reaches the deep and long inputs).
#include <cstddef>
#include <cstdint>

#include "autoencoders/config.hpp"
#include "fuzz_input.hpp"
#include "tensor/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = xtgrad::fuzz::write_input(data, size, ".json");
  try {
    const xtgrad::ae::RunConfig config = xtgrad::ae::load_config(path);
    xtgrad::ae::check_config(config, path);
    (void)xtgrad::ae::config_to_json(config);
  } catch (const xtgrad::Error& e) {
    xtgrad::fuzz::require_short_line(e);
  }
  return 0;
}
