#pragma once
// JSON text from a user (a configuration file, a run's checkpoint-config.json, a model file's
// config.json), parsed within bounds: whatever the text, parsing it and the error messages
// about it take bounded memory, stack and length.
//
//   at most kMaxJsonBytes (1 MiB) of text   refused before parsing; a configuration is < 1 KB
//   at most kMaxJsonDepth (16) levels       refused while parsing, before anything recurses over
//                                           the value (nlohmann's dump(), copies and comparisons
//                                           recurse once per level); a configuration has 3: the
//                                           file, a section and its list of sizes
//   each key once per object                nlohmann keeps the last of two equal keys and
//                                           drops the first unseen
//
// Errors are ValueErrors starting with `where`, then the path of the object where the problem
// is ("train", "deep.sizes[1]"), and quote at most 40 bytes of any value (excerpt(),
// tensor/errors.hpp). A private header: nlohmann_json is not part of the installed interface.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace xtgrad::ae {

constexpr std::size_t kMaxJsonBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxJsonDepth = 16;

// Throws ValueError if `bytes` is more than kMaxJsonBytes:
//   config big.json: 5242880 bytes, more than the 1 MiB a configuration may hold
void check_json_size(std::uintmax_t bytes, const std::string& where);

// The JSON value of `text`; ValueError if the text is too large, too deep, says a key twice or
// is not JSON (nlohmann's message, the token it last read cut by excerpt()).
nlohmann::json parse_bounded_json(const std::string& text, const std::string& where);

// A JSON value as an error message shows it: its JSON text through excerpt() ("got [1, 2]",
// "got \"xxxxxxxx...\" (52428802 bytes)"). Every message that shows a value calls this.
std::string shown(const nlohmann::json& value);

}  // namespace xtgrad::ae
