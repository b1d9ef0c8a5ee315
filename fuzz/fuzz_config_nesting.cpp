// Fuzzes the bounds of configurations (autoencoders/bounded_json.cpp, config.cpp) with inputs
// that build deep nesting and long repeated structure, which mutating a config's bytes seldom
// reaches: the input is a recipe, and the text parsed is what it makes.
//   byte 0, bits 0-2   the piece repeated n times around (or beside) the fragment f:
//                        0 [[[f]]]            1 {"k": {"k": f}}      2 [{"k": [{"k": f}]}]
//                        3 [f, f, f]          4 {f, f, f}  (f = "\"a\": 1": one key n times)
//                        5 f f f              6 "fff"      (one long string)
//                        7 f once
//   byte 0, bits 3-4   where it goes: 0 train.epochs, 1 the "basic" section, 2 the whole text,
//                        3 "description"
//   bytes 1-2          n / 8 (n up to 524280; the text is capped at 2 MiB, past the 1 MiB limit)
//   the rest           the fragment f
// Every error must be an xtgrad::Error of one line, at most kMaxMessageBytes long.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "autoencoders/config.hpp"
#include "fuzz_input.hpp"
#include "tensor/errors.hpp"

namespace {

constexpr std::size_t kMaxText = std::size_t{2} << 20;

std::string repeat(const std::string& piece, std::size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

std::string joined(const std::string& f, std::size_t n) {
  std::string out = f;
  for (std::size_t i = 1; i < n; ++i) out += ", " + f;
  return out;
}

std::string made(std::uint8_t recipe, std::size_t n, const std::string& f) {
  n = std::min(n, kMaxText / (f.size() + 9));  // 9 bytes: the most a level adds besides f
  switch (recipe & 7) {
    case 0:
      return repeat("[", n) + f + repeat("]", n);
    case 1:
      return repeat("{\"k\": ", n) + f + repeat("}", n);
    case 2:
      return repeat("[{\"k\": ", n) + f + repeat("}]", n);
    case 3:
      return "[" + joined(f, n) + "]";
    case 4:
      return "{" + joined(f, n) + "}";
    case 5:
      return repeat(f, n);
    case 6:
      return "\"" + repeat(f, n) + "\"";
    default:
      return f;
  }
}

std::string placed(std::uint8_t recipe, const std::string& x) {
  const std::string head = R"({"model": "basic", "init": "pytorch", )";
  switch ((recipe >> 3) & 3) {
    case 0:
      return head + R"("train": {"epochs": )" + x + "}}";
    case 1:
      return head + R"("basic": )" + x + "}";
    case 2:
      return x;
    default:
      return head + R"("description": )" + x + "}";
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t n = ((std::size_t{data[1]} << 8) | data[2]) * 8;
  const std::string fragment(reinterpret_cast<const char*>(data) + 3, size - 3);
  const std::string text = placed(data[0], made(data[0], n, fragment));
  try {
    const xtgrad::ae::RunConfig config = xtgrad::ae::parse_config(text, "config fuzz.json");
    (void)xtgrad::ae::config_to_json(config);
  } catch (const xtgrad::Error& e) {
    xtgrad::fuzz::require_short_line(e);
  }
  return 0;
}
