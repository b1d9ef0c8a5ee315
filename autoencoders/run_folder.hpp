#pragma once
// A run's output folder belongs to one run at a time.
//
// While a run lives, it holds an exclusive lock (flock) on <folder>/.xtgrad.lock: a second run with
// the same --out fails at once instead of mixing its files with the first's. A folder that
// already holds files (a finished run, or the leftovers of a killed one) is refused unless
// `replace` is set (--force); then every file in it is removed first, so old and new files
// never sit side by side. results.json is written last: a folder without it is an
// interrupted run. The lock is released by the system when the process ends, even on a kill.
#include <string>

namespace xtgrad::ae {

class RunFolder {
 public:
  // Creates `path` (with its parents) and locks it; FileError naming the folder when it
  // cannot be created, another run holds it, or it holds files and `replace` is false.
  // `resume`: the folder holds a stopped run's checkpoint, which this run goes on from; its
  // files are kept.
  RunFolder(std::string path, bool replace, bool resume = false);
  // Releases the lock. A folder this run created and wrote nothing into is removed, so a
  // data error leaves no empty folder behind.
  ~RunFolder();
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int lock_fd_ = -1;
  bool created_ = false;
};

}  // namespace xtgrad::ae
