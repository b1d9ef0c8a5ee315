#pragma once
// Helpers for the tests that write and read files: the test data folder, a temporary folder,
// a file's bytes, a full disk (simulated), and byte strings compared with a message that says
// where they differ.
#include <sys/resource.h>  // setrlimit: a file-size limit stands in for a full disk
#include <unistd.h>        // getpid, for unique folder names

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace xtgrad::testing {

// The path of tests/fixtures/<name>: the fixtures written by NumPy (npy/, npz/) and the recorded
// PyTorch results (*.json).
inline std::string test_data(const std::string& name) {
  return std::string(XTGRAD_TEST_DATA_DIR) + "/" + name;
}

// A fresh, empty folder under the system's temporary directory, removed with everything in it
// when the object goes out of scope.
//   TempDir dir;  save_npy(dir.file("t.npy"), t);  BOOST_TEST(dir.entries() == ...);
struct TempDir {
  std::filesystem::path path;

  TempDir() {
    static int count = 0;  // one counter for every test file: the header's functions are inline
    path = std::filesystem::temp_directory_path() /
           ("xtgrad-test-" + std::to_string(::getpid()) + "-" + std::to_string(count++));
    std::filesystem::remove_all(path);  // left over by a crashed run with the same pid
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;  // never throw from a destructor; a leftover folder is harmless
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path / name).string(); }
  // The names of everything in the folder, sorted (to see that no temporary file was left).
  std::vector<std::string> entries() const;
};

// The names of everything in the folder `path`, sorted.
inline std::vector<std::string> dir_entries(const std::string& path) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(path)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::vector<std::string> TempDir::entries() const { return dir_entries(path.string()); }

// The whole file as a string of bytes; the test stops if it cannot be opened.
inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_TEST_REQUIRE(in.good(), "cannot open " << path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Binary strings compared with a readable message: where they first differ.
inline void check_bytes(const std::string& got, const std::string& want) {
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  BOOST_TEST((got == want), "bytes differ at offset " << i << " (sizes " << got.size() << " and "
                                                      << want.size() << ")");
}

// Limits the size of the files this process writes, while it lives: a full disk, simulated.
// SIGXFSZ is ignored, so a write past the limit fails with EFBIG instead of killing the process.
struct FileSizeLimit {
  rlimit saved{};
  void (*saved_handler)(int) = nullptr;
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved);
    saved_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, saved_handler);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
};

}  // namespace xtgrad::testing
