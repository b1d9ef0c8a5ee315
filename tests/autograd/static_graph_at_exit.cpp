// A graph held by a static object is freed after main() returns, when this thread's
// thread_local objects are already destroyed (they go first, [basic.start.term]). The release
// of a graph (node.cpp) must not need any of them. Run as the CTest test
// autograd/static_graph_freed_at_exit: it exits 0 only if releasing the static graph frees
// every node. Under the asan preset, touching destroyed storage also stops it (use after free).
#include <cstdio>
#include <cstdlib>

#include "autograd/all.hpp"
#include "autograd/node.hpp"

using namespace xtgrad;

namespace {

// Registered before the static graph exists, so it runs after that graph's destructor.
void check_every_node_freed() {
  const auto alive = static_cast<long long>(Node::live_count());
  if (alive != 0) {
    std::fprintf(
        stderr, "static_graph_at_exit: %lld nodes alive after the static graph was freed\n", alive);
    std::_Exit(1);
  }
  std::fprintf(stderr, "static_graph_at_exit: every node freed\n");
}

Variable chain(int length) {
  Variable y(tensor({0.5, 1.5}, DType::float64), /*requires_grad=*/true);
  for (int i = 0; i < length; ++i) y = exp(y * 0.5) - 1.0;
  return y;
}

}  // namespace

int main() {
  std::atexit(check_every_node_freed);
  {
    const Variable freed_in_main = chain(50);  // the release machinery runs once inside main
  }
  static const Variable kept = chain(1000);  // freed at exit, after the thread_local objects
  return kept.requires_grad() && Node::live_count() > 0 ? 0 : 1;
}
