// One run per output folder (see run_folder.hpp).
#include "autoencoders/run_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "tensor/errors.hpp"

namespace xtgrad::ae {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLock = ".xtgrad.lock";

// Everything in the folder but the lock.
std::vector<fs::path> contents(const std::string& dir) {
  std::vector<fs::path> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.path().filename() != kLock) found.push_back(entry.path());
  }
  return found;
}

}  // namespace

RunFolder::RunFolder(std::string path, bool replace, bool resume) : path_(std::move(path)) {
  const std::string where = "output folder " + path_;
  std::error_code error;
  created_ = fs::create_directories(path_, error);
  if (error || !fs::is_directory(path_)) {
    throw FileError(where + ": cannot create it" + (error ? " (" + error.message() + ")" : ""));
  }
  const std::string lock = path_ + "/" + kLock;
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw FileError(where + ": cannot write in it (" + std::strerror(errno) + ")");
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw FileError(where + ": another run is writing into it; give this one another --out");
  }
  if (resume) return;
  const std::vector<fs::path> old = contents(path_);
  if (!old.empty() && !replace) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw FileError(where + ": already holds " + old.front().filename().string() +
                    (old.size() > 1 ? " and " + std::to_string(old.size() - 1) + " more" : "") +
                    " from an earlier run; pass --force to replace them, or give another --out");
  }
  for (const fs::path& p : old) {
    fs::remove_all(p, error);
    if (error) throw FileError(where + ": cannot remove " + p.string() + " (" + error.message() + ")");
  }
}

RunFolder::~RunFolder() {
  if (lock_fd_ < 0) return;
  std::error_code ignored;  // never throw from a destructor
  if (created_ && contents(path_).empty()) {
    fs::remove(path_ + "/" + kLock, ignored);
    fs::remove(path_, ignored);
  }
  ::close(lock_fd_);  // releases the flock
}

}  // namespace xtgrad::ae
