#pragma once
// Writing a whole file so that a crash, a full disk or Ctrl-C never leaves half of it:
// the bytes go to a temporary file beside the target, which is then renamed over it (one
// step on POSIX: readers see the old file or the new one).
#include <string>

namespace xtgrad {

// Writes `bytes` to `path` that way; on failure the temporary file is removed, the old file
// is untouched, and FileError names `what` (e.g. "results.json"), the path and the reason.
void write_file_atomically(const std::string& path, const std::string& bytes,
                           const std::string& what = "write");

}  // namespace xtgrad
