#pragma once
// A run's output folder belongs to one run at a time, and a run removes only what a run made.
//
// While a run lives, it holds an exclusive lock (flock) on <folder>/.xtgrad.lock: a second run
// with the same --out fails at once instead of mixing its files with the first's. Before it
// writes a file, the run lists its name in <folder>/.xtgrad-run (the manifest). The files of a
// run are the names in the manifest, the fixed names below (a folder written before manifests
// existed, or by a run killed before it wrote one), and their temporary leftovers
// ("<name>.tmp..." or "<name>.<anything>.tmp"). A folder that holds
//   - nothing: is used;
//   - only the files of a run: is refused, unless `replace` (--force) is set: then exactly
//     those files are removed by clear_earlier_run(), once every input has been checked;
//   - anything else (a file no run wrote, any sub-folder): is refused, --force or not, and the
//     message names what is there.
// The root folder, the home folder, and the data folder or any folder that contains it are
// refused as output folders. results.json is written last: a folder without it is an
// interrupted run. The lock is released by the system when the process ends, even on a kill;
// the lock file is removed whenever the run can clean up.
#include <string>
#include <vector>

namespace xtgrad::ae {

// The names every run of the xtgrad command may write; models add their pictures through the
// manifest.
const std::vector<std::string>& run_file_names();

class RunFolder {
 public:
  enum class Mode { fresh, replace, resume };

  // Creates `path` (with its parents) and locks it; FileError naming the folder when it cannot
  // be created, another run holds it, it is a folder that must not be written into (the root,
  // the home folder, `data_dir` or a folder that contains it), or it holds files that `mode`
  // does not allow (see above). Removes nothing. `resume`: the folder holds a stopped run,
  // which this run goes on with; its files are kept.
  RunFolder(std::string path, Mode mode, const std::string& data_dir = "");
  // Releases the lock and removes the lock file. A folder this run created and wrote nothing
  // into is removed, so a data error leaves no folder behind.
  ~RunFolder();
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

  const std::string& path() const { return path_; }
  // Mode::replace: removes the earlier run's files found by the constructor (call it once every
  // input has been checked). Does nothing in the other modes.
  void clear_earlier_run();
  // Lists `name` (a file name, no folder) in the manifest; call it before writing the file.
  void will_write(const std::string& name);

 private:
  std::string path_;
  int lock_fd_ = -1;
  bool created_ = false;
  std::vector<std::string> earlier_;  // the earlier run's files (Mode::replace)
  std::vector<std::string> manifest_;
};

}  // namespace xtgrad::ae
