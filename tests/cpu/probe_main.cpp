// A program that does nothing: linked with the start-up CPU check compiled for a given level,
// it shows what a user sees when that level is above their CPU's (tests/cpu/CMakeLists.txt).
#include <cstdio>

int main() {
  std::puts("started");
  return 0;
}
