// Prints the highest x86-64 micro-architecture level this CPU runs: x86-64, x86-64-v2,
// x86-64-v3 or x86-64-v4. CMake runs it at configure time for XTGRAD_ARCH=native, and
// tests/cpu to find a level above this CPU's. It is the start-up check's own code
// (tensor/cpu_check.cpp), so that both agree on what a level needs.
#include <cstdio>

#include "tensor/cpu_check.cpp"

int main() {
  std::printf("%s", xtgrad::host_cpu_level());
  return 0;
}
