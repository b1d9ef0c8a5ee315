// Graphviz export: ops with shapes and dtypes, leaves, saved tensors and their bytes.
#include "../tensor/helpers.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;

BOOST_AUTO_TEST_SUITE(dot_export)

BOOST_AUTO_TEST_CASE(graph_lists_ops_leaves_and_saved_bytes) {
  Variable x(ones({4, 3}));  // a constant input: not drawn
  Variable w(ones({3, 2}), true);
  w.set_name("w");
  Variable y = sum(sigmoid(matmul(x, w)));
  const std::string dot = to_dot({y});
  auto has = [&](const std::string& part) {
    BOOST_TEST(dot.find(part) != std::string::npos, "DOT lacks \"" << part << "\":\n" << dot);
  };
  has("digraph xtgrad {");
  has("matmul\\n(4, 2) float32");
  has("saved (4, 3) 48 B");                             // matmul keeps x (4 x 3 float32) ...
  has("saved (3, 2) 24 B");                             // ... and w
  has("sigmoid\\n(4, 2) float32\\nsaved (4, 2) 32 B");  // sigmoid keeps its output
  has("sum\\n() float32");
  has("w\\n(3, 2) float32");
  has("saved for backward: 104 B");
  has(" -> ");
  BOOST_TEST(dot.back() == '\n');
  y.backward();
  BOOST_TEST(to_dot({y}).find("(saved tensors freed)") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
