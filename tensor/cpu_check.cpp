// The start-up check that this CPU can run the instruction-set level xtgrad was compiled for.
//
// NOTE: this file is compiled for the baseline level (-march=x86-64, see tensor/CMakeLists.txt)
// whatever XTGRAD_ARCH is: it runs before main(), on CPUs that may lack AVX, so it must not
// contain a single instruction they lack. tensor.cpp holds a reference to
// xtgrad_cpu_check, so that every program that uses a Tensor links this file.
#include "tensor/cpu.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#ifndef XTGRAD_CPU_LEVEL
#error "XTGRAD_CPU_LEVEL must name the level the library is compiled for"
#endif

namespace xtgrad {
namespace {

const char* const kLevels[] = {"x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4"};

int level_rank(const char* level) {
  for (int i = 0; i < 4; ++i) {
    if (std::strcmp(level, kLevels[i]) == 0) return i;
  }
  return -1;
}

constexpr std::size_t kFeatureCount = 15;

// This CPU's features. __builtin_cpu_supports takes only string literals, hence the macro.
// NOTE: the levels' other features (F16C, MOVBE, LZCNT in v3) are not listed: clang 14 cannot
// query them, and every CPU with AVX2, FMA and BMI2 has them.
void read_host_features(detail::CpuFeature (&out)[kFeatureCount]) {
  __builtin_cpu_init();
#define XTGRAD_FEATURE(name, level) \
  detail::CpuFeature { name, level, __builtin_cpu_supports(name) != 0 }
  const detail::CpuFeature features[kFeatureCount] = {
      XTGRAD_FEATURE("sse3", "x86-64-v2"),     XTGRAD_FEATURE("ssse3", "x86-64-v2"),
      XTGRAD_FEATURE("sse4.1", "x86-64-v2"),   XTGRAD_FEATURE("sse4.2", "x86-64-v2"),
      XTGRAD_FEATURE("popcnt", "x86-64-v2"),   XTGRAD_FEATURE("avx", "x86-64-v3"),
      XTGRAD_FEATURE("avx2", "x86-64-v3"),     XTGRAD_FEATURE("fma", "x86-64-v3"),
      XTGRAD_FEATURE("bmi", "x86-64-v3"),      XTGRAD_FEATURE("bmi2", "x86-64-v3"),
      XTGRAD_FEATURE("avx512f", "x86-64-v4"),  XTGRAD_FEATURE("avx512bw", "x86-64-v4"),
      XTGRAD_FEATURE("avx512cd", "x86-64-v4"), XTGRAD_FEATURE("avx512dq", "x86-64-v4"),
      XTGRAD_FEATURE("avx512vl", "x86-64-v4"),
  };
#undef XTGRAD_FEATURE
  for (std::size_t i = 0; i < kFeatureCount; ++i) out[i] = features[i];
}

// Writes the error line for `level` into buf ("" when nothing is missing). C strings only:
// the start-up check must not call an inline C++ library function, whose one linked copy may
// come from a file compiled for a higher level.
void format_error(const char* level, const detail::CpuFeature* features, std::size_t count,
                  char* buf, std::size_t size) {
  buf[0] = '\0';
  const int rank = level_rank(level);
  char missing[256] = "";
  for (std::size_t i = 0; i < count; ++i) {
    if (!features[i].present && level_rank(features[i].level) <= rank) {
      if (missing[0] != '\0')
        std::strncat(missing, ", ", sizeof missing - std::strlen(missing) - 1);
      std::strncat(missing, features[i].name, sizeof missing - std::strlen(missing) - 1);
    }
  }
  if (missing[0] == '\0') return;
  std::snprintf(buf, size,
                "xtgrad: this program was compiled for %s, but this CPU lacks %s; rebuild it with "
                "-DXTGRAD_ARCH=native or a lower level (x86-64, x86-64-v2, x86-64-v3)",
                level, missing);
}

}  // namespace

const char* compiled_cpu_level() { return XTGRAD_CPU_LEVEL; }

const char* host_cpu_level() {
  detail::CpuFeature features[kFeatureCount];
  read_host_features(features);
  // The highest level none of whose features (nor those of the levels below) is missing.
  int rank = 3;
  for (const detail::CpuFeature& f : features) {
    if (!f.present) rank = std::min(rank, level_rank(f.level) - 1);
  }
  return kLevels[rank];
}

namespace detail {

std::vector<CpuFeature> host_cpu_features() {
  CpuFeature features[kFeatureCount];
  read_host_features(features);
  return std::vector<CpuFeature>(features, features + kFeatureCount);
}

std::string cpu_level_error(const std::string& level, const std::vector<CpuFeature>& features) {
  char buf[512];
  format_error(level.c_str(), features.data(), features.size(), buf, sizeof buf);
  return buf;
}

}  // namespace detail

// Runs before every default-priority constructor of the program, so before any code that the
// compiler may have built with AVX. Plain write(2): C++ streams may not be set up yet.
extern "C" __attribute__((constructor(101))) void xtgrad_cpu_check() {
  detail::CpuFeature features[kFeatureCount];
  read_host_features(features);
  char error[512];
  format_error(XTGRAD_CPU_LEVEL, features, kFeatureCount, error, sizeof error - 1);
  if (error[0] != '\0') {
    std::strcat(error, "\n");
    [[maybe_unused]] ssize_t written = ::write(2, error, std::strlen(error));
    std::_Exit(1);
  }
}

}  // namespace xtgrad
