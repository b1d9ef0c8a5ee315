#include "tensor/files.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tensor/errors.hpp"

namespace xtgrad {

void write_file_atomically(const std::string& path, const std::string& bytes,
                           const std::string& what) {
  static std::atomic<unsigned> counter{0};
  const std::string tmp =
      path + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(counter++);
  auto fail = [&](const std::string& problem) {
    std::remove(tmp.c_str());
    throw FileError(what + ": " + path + ": " + problem);
  };
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    throw FileError(what + ": " + path + ": cannot create " + tmp + ": " + std::strerror(errno));
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const int write_errno = errno;
  if (std::fclose(f) != 0 || !written) {
    fail(std::string("cannot write it: ") + std::strerror(written ? errno : write_errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    fail(std::string("cannot rename ") + tmp + " to it: " + std::strerror(errno));
  }
}

}  // namespace xtgrad
