// Prints the highest x86-64 micro-architecture level this CPU runs: x86-64, x86-64-v2,
// x86-64-v3 or x86-64-v4. CMake runs it at configure time for XTGRAD_ARCH=native.
#include <cstdio>

int main() {
  __builtin_cpu_init();
  const char* level = "x86-64";
  if (__builtin_cpu_supports("x86-64-v2")) level = "x86-64-v2";
  if (__builtin_cpu_supports("x86-64-v3")) level = "x86-64-v3";
  if (__builtin_cpu_supports("x86-64-v4")) level = "x86-64-v4";
  std::printf("%s", level);
  return 0;
}
