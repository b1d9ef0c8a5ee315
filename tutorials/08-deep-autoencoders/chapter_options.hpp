#pragma once
// The command line shared by the programs of chapters 08-11:
//   --short            CI mode: a slice of the data, one epoch or so, seconds
//   --out DIR          where pictures go (default: the current folder, created if missing)
//   --data-dir DIR     Fashion-MNIST (default: $XTGRAD_FASHION_MNIST_DIR or Debian's folder)
//   plus the flags a program names in `extra` (e.g. an errata demonstration), which are on/off.
// A bad argument prints one line on stderr and exits with 2.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "data/fashion_mnist.hpp"

namespace ladder {

struct ChapterOptions {
  bool short_mode = false;
  std::string out = ".";
  std::string data_dir = xtgrad::data::default_fashion_mnist_dir();
  std::set<std::string> flags;  // the extra flags given
  bool has(const std::string& flag) const { return flags.count(flag) > 0; }
};

inline ChapterOptions parse_options(int argc, char** argv, const std::set<std::string>& extra,
                                    const char* usage) {
  ChapterOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--short") {
      o.short_mode = true;
    } else if (a == "--out" && has_value) {
      o.out = argv[++i];
    } else if (a == "--data-dir" && has_value) {
      o.data_dir = argv[++i];
    } else if (extra.count(a)) {
      o.flags.insert(a);
    } else if (a == "--help" || a == "-h") {
      std::printf("%s", usage);
      std::exit(0);
    } else {
      std::fprintf(stderr, "%s: unknown or incomplete argument '%s' (--help lists them)\n", argv[0],
                   a.c_str());
      std::exit(2);
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) {
    std::fprintf(stderr, "%s: cannot create --out folder '%s': %s\n", argv[0], o.out.c_str(),
                 ec.message().c_str());
    std::exit(2);
  }
  return o;
}

// The first `train_n` training and `test_n` test images; a missing or broken data set prints
// one line and exits with 2.
struct Images {
  xtgrad::data::ImageSet train, test;
};
inline Images load_images(const ChapterOptions& o, std::int64_t train_n, std::int64_t test_n,
                          const char* program) {
  try {
    return {xtgrad::data::load_fashion_mnist(xtgrad::data::Split::train, o.data_dir, train_n),
            xtgrad::data::load_fashion_mnist(xtgrad::data::Split::test, o.data_dir, test_n)};
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: cannot load Fashion-MNIST: %s\n", program, e.what());
    std::exit(2);
  }
}

}  // namespace ladder
