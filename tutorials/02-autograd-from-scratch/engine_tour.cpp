// Chapter 2: the library's engine at work, one feature of a real tape at a time.
//
//   1. topological order without recursion: a chain of 100,000 ops;
//   2. accumulation: a value used twice, and a leaf's grad over two backward passes;
//   3. broadcasting: the gradient of a broadcast operand is summed back to its shape (sum_to);
//   4. no-grad: nothing is recorded inside a NoGradGuard;
//   5. retain_graph: a second backward through a freed graph, and one that is allowed;
//   6. a second derivative with create_graph.
// Each step checks its numbers; the program exits 1 if one is wrong.
//
//   ch02_engine [--short] [--out DIR]   (--short: a chain of 1,000 ops, not 100,000; no file written)
#include <cmath>
#include <cstdio>
#include <iostream>

#include "../common/program_args.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;

namespace {

bool all_ok = true;

// Prints "label value (expected e) ok" and a result line; clears all_ok on a mismatch.
void report(const char* key, const char* label, double value, double expected) {
  const bool ok = std::abs(value - expected) <= 1e-9 * std::max(1.0, std::abs(expected));
  all_ok = all_ok && ok;
  std::printf("  %-44s %12.6f   (expected %.6f) %s\n", label, value, expected, ok ? "ok" : "WRONG");
  std::printf("result %s %.6f\n", key, value);
}

Variable scalar(double v) { return Variable(scalar_tensor(v, DType::float64), true); }

}  // namespace

int main(int argc, char** argv) {
  const bool short_mode = book::parse_program_args(argc, argv, "ch02_engine").short_mode;

  std::printf("1. topological order, without recursion\n");
  // [book:chain]
  // y = x + x/n + x/n + ... (n terms of x/n): dy/dx = 2, through a chain of 2n nodes.
  const int n = short_mode ? 1000 : 100000;
  Variable x = scalar(1.5);
  Variable y = x;
  for (int i = 0; i < n; ++i) y = y + x / static_cast<double>(n);
  y.backward();
  // [/book:chain]
  std::printf("  chain of %d ops\n", 2 * n);
  report("chain_grad", "d/dx (x + n terms of x/n)", x.grad().item(), 2.0);

  std::printf("\n2. accumulation\n");
  // [book:accumulate]
  Variable a = scalar(3.0);
  Variable square = a * a;  // both inputs of mul are a: its two gradients add up
  square.backward();
  const double once = a.grad().item();   // 2a = 6
  (a * a).backward();                    // a leaf keeps adding until zero_grad()
  const double twice = a.grad().item();  // 6 + 6
  a.zero_grad();
  // [/book:accumulate]
  report("square_grad", "d(a*a)/da at a = 3", once, 6.0);
  report("square_grad_two_passes", "a.grad() after two backward passes", twice, 12.0);

  std::printf("\n3. broadcasting: gradients summed back with sum_to\n");
  // [book:sum_to]
  Variable batch(ones({4, 3}, DType::float64), true);            // (4, 3)
  Variable bias(tensor({0.1, 0.2, 0.3}, DType::float64), true);  // (3,), used by all 4 rows
  sum(batch + bias).backward();
  // [/book:sum_to]
  std::cout << "  bias.grad() = " << bias.grad().data() << "  (shape " << bias.grad().shape()
            << ")\n";
  report("bias_grad_0", "bias.grad()[0]: one 1 from each of 4 rows", bias.grad().data().at({0}),
         4.0);

  std::printf("\n4. no-grad\n");
  // [book:no_grad]
  Variable w = scalar(2.0);
  Variable untracked;
  {
    NoGradGuard no_grad;
    untracked = w * w;
  }
  std::printf("  inside NoGradGuard: (w * w).requires_grad() = %s\n",
              untracked.requires_grad() ? "true" : "false");
  try {
    untracked.backward();
  } catch (const AutogradError& e) {
    std::printf("  its backward() throws AutogradError: %s\n", e.what());
  }
  // [/book:no_grad]
  all_ok = all_ok && !untracked.requires_grad();

  std::printf("\n5. retain_graph\n");
  // [book:retain_graph]
  Variable u = scalar(2.0);
  Variable cube = u * u * u;
  cube.backward(Variable(), /*retain_graph=*/true);  // keeps the saved tensors
  cube.backward();                                   // allowed, frees them: 12 + 12
  try {
    cube.backward();  // the graph is gone
  } catch (const AutogradError& e) {
    std::printf("  a third backward throws AutogradError: %s\n", e.what());
  }
  // [/book:retain_graph]
  report("retained_grad", "u.grad() after two backward passes at u = 2", u.grad().item(), 24.0);

  std::printf("\n6. a second derivative (create_graph)\n");
  // [book:create_graph]
  Variable t = scalar(3.0);
  Variable f = t * t * t;                                             // t^3
  Variable df = grad({f}, {t}, {}, false, /*create_graph=*/true)[0];  // 3 t^2, itself a graph
  Variable d2f = grad({df}, {t})[0];                                  // 6 t
  // [/book:create_graph]
  report("first_derivative", "d(t^3)/dt at t = 3", df.item(), 27.0);
  report("second_derivative", "d2(t^3)/dt2 at t = 3", d2f.item(), 18.0);

  std::printf("\n%s\n", all_ok ? "every number is as expected" : "SOME NUMBER IS WRONG");
  return all_ok ? 0 : 1;
}
