#pragma once
// Which x86-64 instruction-set level xtgrad was compiled for, and which one this CPU runs.
//
// The levels are GCC's and the x86-64 psABI's: "x86-64" (SSE2), "x86-64-v2" (SSE4.2, POPCNT),
// "x86-64-v3" (AVX2, FMA, BMI2) and "x86-64-v4" (AVX-512). The build chooses one with
// -DXTGRAD_ARCH (README, "Which CPUs it runs on"). Every program linked with xtgrad::tensor
// checks before main() that its CPU has that level; when it does not, it prints one line naming
// the missing features and exits with status 1, instead of dying of SIGILL later.
#include <string>
#include <vector>

namespace xtgrad {

// The level the library was compiled for, e.g. "x86-64-v3".
const char* compiled_cpu_level();
// The highest of the four levels that this CPU supports.
const char* host_cpu_level();

namespace detail {

// One CPU feature that a level requires, and whether this CPU has it.
struct CpuFeature {
  const char* name;   // as GCC's __builtin_cpu_supports spells it: "avx2"
  const char* level;  // the first level that requires it: "x86-64-v3"
  bool present;
};

// The features of every level, with what this CPU has.
std::vector<CpuFeature> host_cpu_features();

// The one-line message for a program compiled for `level` on a CPU with `features`, or "" when
// nothing `level` needs is missing. Pure, so that tests can try CPUs this machine is not.
std::string cpu_level_error(const std::string& level, const std::vector<CpuFeature>& features);

}  // namespace detail
}  // namespace xtgrad
