// One run per output folder, and a run removes only what a run made (see run_folder.hpp).
#include "autoencoders/run_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tensor/errors.hpp"
#include "tensor/files.hpp"

namespace xtgrad::ae {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLock = ".xtgrad.lock";
constexpr const char* kManifest = ".xtgrad-run";
constexpr const char* kManifestHeading =
    "# the files an xtgrad run wrote here; --force removes these and no others";

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// "model.npz.tmp123.0", "model.npz.tmp123.0.Ab3xYz" (libzip's own), "loss.png.gp-12.tmp": a
// temporary file of `name`, left by a run killed while it wrote `name`.
bool is_leftover_of(const std::string& entry, const std::string& name) {
  if (!starts_with(entry, name + ".")) return false;
  const std::string rest = entry.substr(name.size());
  return starts_with(rest, ".tmp") ||
         (rest.size() > 4 && rest.compare(rest.size() - 4, 4, ".tmp") == 0);
}

// The names listed in the folder's manifest; only plain file names count (no '/', no "..").
std::vector<std::string> read_manifest(const std::string& dir) {
  std::vector<std::string> names;
  std::ifstream in(dir + "/" + kManifest);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line == "." || line == ".." ||
        line.find('/') != std::string::npos)
      continue;
    names.push_back(line);
  }
  return names;
}

// "a, b, c and 4 more" (at most `shown` names).
std::string listing(const std::vector<std::string>& names, std::size_t shown = 4) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
    s += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  if (names.size() > shown) s += " and " + std::to_string(names.size() - shown) + " more";
  return s;
}

// The absolute form of `path` with "..", "." and symbolic links resolved as far as it exists.
fs::path resolved(const std::string& path) {
  std::error_code error;
  fs::path p = fs::weakly_canonical(fs::absolute(path, error), error);
  return error ? fs::path(path).lexically_normal() : p;
}

// Whether `ancestor` is `path` or a folder that contains it.
bool contains(const fs::path& ancestor, const fs::path& path) {
  auto a = ancestor.begin(), p = path.begin();
  for (; a != ancestor.end(); ++a, ++p) {
    if (a->empty()) continue;  // a trailing separator
    if (p == path.end() || *a != *p) return false;
  }
  return true;
}

// Why `path` must not be an output folder, or "" when it may be.
std::string forbidden(const std::string& path, const std::string& data_dir) {
  const fs::path out = resolved(path);
  if (out == out.root_path()) return "is the root folder";
  if (const char* home = std::getenv("HOME");
      home != nullptr && *home != '\0' && out == resolved(home)) {
    return "is your home folder";
  }
  if (!data_dir.empty() && contains(out, resolved(data_dir))) {
    return out == resolved(data_dir) ? "is the data folder (--data-dir)"
                                     : "contains the data folder " + data_dir;
  }
  return "";
}

}  // namespace

const std::vector<std::string>& run_file_names() {
  static const std::vector<std::string> names = {
      "results.json",        "config.json",         "history.csv",
      "model.npz",           "checkpoint.npz",      "checkpoint-config.json",
      "checkpoint-run.json", "reconstructions.png", "loss.png",
      "latent.png",          "filters.png",         "samples.png",
      "interpolation.png",   "denoising.png"};
  return names;
}

RunFolder::RunFolder(std::string path, Mode mode, const std::string& data_dir)
    : path_(std::move(path)) {
  const std::string where = "output folder " + path_;
  if (const std::string why = forbidden(path_, data_dir); !why.empty()) {
    throw FileError(where + ": " + why + "; give a folder of the run's own");
  }
  std::error_code error;
  created_ = fs::create_directories(path_, error);
  if (error || !fs::is_directory(path_)) {
    throw FileError(where + ": cannot create it" + (error ? " (" + error.message() + ")" : ""));
  }
  const std::string lock = path_ + "/" + kLock;
  const bool lock_existed = fs::exists(fs::symlink_status(lock, error));
  // Undoes what the constructor did, then throws: a refused run leaves no lock and no folder.
  auto refuse = [&](const std::string& problem, bool own_lock) {
    if (lock_fd_ >= 0) {
      if (own_lock && !lock_existed) fs::remove(lock, error);
      ::close(lock_fd_);
      lock_fd_ = -1;
    }
    if (created_) fs::remove(path_, error);
    throw FileError(where + ": " + problem);
  };
  // NOTE: the lock file may be removed by the run that holds it between our open() and our
  // flock(); we would then hold a lock on a file no longer in the folder. So after locking we
  // check that the name still leads to the file we locked, and start again if not.
  for (int attempt = 0;; ++attempt) {
    lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (lock_fd_ < 0)
      refuse(std::string("cannot write in it (") + std::strerror(errno) + ")", false);
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      refuse("another run is writing into it; give this one another --out", false);
    }
    struct stat held {
    }, named{};
    if (::fstat(lock_fd_, &held) == 0 && ::stat(lock.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev) {
      break;
    }
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (attempt == 10)
      refuse("its lock file keeps changing; is another run starting there?", false);
  }
  manifest_ = read_manifest(path_);
  if (mode == Mode::resume) return;

  // What the folder holds: the files of a run, and anything else.
  std::vector<std::string> run_files, others;
  std::vector<std::string> known = run_file_names();
  known.insert(known.end(), manifest_.begin(), manifest_.end());
  for (const auto& entry : fs::directory_iterator(path_, error)) {
    const std::string name = entry.path().filename().string();
    if (name == kLock) continue;
    const bool is_file = !fs::is_directory(entry.symlink_status(error));
    const bool ours =
        is_file &&
        (name == kManifest || std::any_of(known.begin(), known.end(), [&](const std::string& k) {
           return name == k || is_leftover_of(name, k);
         }));
    (ours ? run_files : others).push_back(is_file ? name : name + "/");
  }
  std::sort(run_files.begin(), run_files.end());
  std::sort(others.begin(), others.end());
  if (!others.empty()) {
    refuse(
        "holds " + listing(others) + ", which no xtgrad run wrote" +
            (run_files.empty() ? "" : " (beside an earlier run's " + listing(run_files, 2) + ")") +
            "; xtgrad never removes what it did not write: give another --out",
        true);
  }
  if (!run_files.empty() && mode != Mode::replace) {
    refuse("holds an earlier run's " + listing(run_files) +
               "; pass --force to replace exactly these files, or give another --out",
           true);
  }
  earlier_ = run_files;
}

void RunFolder::clear_earlier_run() {
  std::error_code error;
  for (const std::string& name : earlier_) {
    const std::string file = path_ + "/" + name;
    fs::remove(file, error);  // a file, or a symbolic link (never what it points to)
    if (error)
      throw FileError("output folder " + path_ + ": cannot remove " + name + " (" +
                      error.message() + ")");
  }
  earlier_.clear();
  manifest_.clear();
}

void RunFolder::will_write(const std::string& name) {
  if (std::find(manifest_.begin(), manifest_.end(), name) != manifest_.end()) return;
  manifest_.push_back(name);
  std::string text = std::string(kManifestHeading) + "\n";
  for (const std::string& n : manifest_) text += n + "\n";
  write_file_atomically(path_ + "/" + kManifest, text,
                        "output folder " + path_ + ": its list of files");
}

RunFolder::~RunFolder() {
  if (lock_fd_ < 0) return;
  std::error_code ignored;                   // never throw from a destructor
  fs::remove(path_ + "/" + kLock, ignored);  // still locked by us: no other run can be using it
  if (created_) {
    // A folder this run made and wrote no file into (the manifest aside) goes; remove() never
    // recurses, so anything else in it keeps it.
    bool only_manifest = true;
    for (const auto& entry : fs::directory_iterator(path_, ignored)) {
      only_manifest = only_manifest && entry.path().filename() == kManifest;
    }
    if (only_manifest) fs::remove(path_ + "/" + kManifest, ignored);
    fs::remove(path_, ignored);
  }
  ::close(lock_fd_);  // releases the flock
}

}  // namespace xtgrad::ae
