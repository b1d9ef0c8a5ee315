#pragma once
// Shared by the fuzz targets: the readers under test take file paths, so each input is
// written to one temporary file per process first. Every reader may throw xtgrad::Error for
// bad input (that is the contract); anything else (a crash, a sanitizer report, another
// exception type, memory beyond libFuzzer's -rss_limit_mb) is a bug the fuzzer reports.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace xtgrad::fuzz {

// Writes the input to this process's temporary file (same name every call) and returns its path.
inline std::string write_input(const std::uint8_t* data, std::size_t size, const char* suffix) {
  static const std::string path = [suffix] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/xtgrad-fuzz-" +
           std::to_string(::getpid()) + suffix;
  }();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

// Aborts (a failing input) unless the error's message is one line of at most kMaxMessageBytes:
// for the readers that promise short messages (configurations: at most 40 bytes of any value,
// and of each key on a path at most 16 levels deep, escaped, each up to 6 bytes a byte).
constexpr std::size_t kMaxMessageBytes = 8192;
inline void require_short_line(const std::exception& e) {
  const std::string message = e.what();
  if (message.size() <= kMaxMessageBytes && message.find('\n') == std::string::npos) return;
  std::fprintf(stderr, "an error of %zu bytes (or several lines): %.300s\n", message.size(),
               message.c_str());
  std::abort();
}

}  // namespace xtgrad::fuzz
