// Chapter 1: shapes, views and NumPy's broadcasting rules.
//
// A shape lists the size of each axis, outermost first. Two shapes broadcast when, aligned on
// the right, each pair of sizes is equal or contains a 1 (a missing axis counts as 1); the
// result takes the larger size of each pair. This program prints the rules at work, a bias
// added to a batch, an outer product, and a broadcast that fails with the library's message.
//
//   ch01_broadcasting [--short] [--out DIR]     (it takes no time and writes no file)
#include <iostream>

#include "../common/program_args.hpp"
#include "tensor/all.hpp"

using namespace xtgrad;

int main(int argc, char** argv) {
  book::parse_program_args(argc, argv, "ch01_broadcasting");

  // [book:shapes]
  const Tensor x = arange(0, 6).reshape({2, 3});  // (2, 3): 2 rows of 3 columns
  std::cout << "x = " << x << "\n";
  std::cout << "x.shape() = " << x.shape() << ", dim " << x.dim() << ", numel " << x.numel()
            << "\n";
  // reshape() is a view: the same storage seen with another shape. transpose() copies.
  Tensor flat = x.reshape({6});
  const Tensor xt = x.transpose();  // (3, 2)
  flat.fill_(7);
  std::cout << "after flat.fill_(7): x(0, 0) = " << x.at({0, 0})
            << " (a view),  x.transpose()(0, 0) = " << xt.at({0, 0}) << " (a copy)\n\n";
  // [/book:shapes]

  // [book:rules]
  const Shape pairs[][2] = {{{4, 3}, {3}},        // a bias row added to every sample
                            {{4, 3}, {4, 1}},     // a per-sample column
                            {{3, 1}, {1, 4}},     // column times row: both stretch
                            {{2, 3, 4}, {3, 1}},  // a missing leading axis counts as 1
                            {{2, 3}, {}}};        // a 0-d scalar goes with anything
  std::cout << "broadcast_shapes(a, b): align on the right; equal sizes or a 1\n";
  for (const auto& p : pairs) {
    std::cout << "  " << p[0] << " with " << p[1] << " -> " << broadcast_shapes("add", p[0], p[1])
              << "\n";
  }
  // [/book:rules]

  // [book:examples]
  const Tensor batch = ones({4, 3});            // (N, D) = (4, 3)
  const Tensor bias = tensor({0.1, 0.2, 0.3});  // (D,)
  const Tensor shifted = batch + bias;          // (4, 3): the row added to each sample
  const Tensor column = tensor({1, 2, 3}).reshape({3, 1});
  const Tensor row = tensor({10, 20, 30, 40}).reshape({1, 4});
  const Tensor outer = column * row;  // (3, 1) * (1, 4) -> (3, 4)
  std::cout << "\nbatch (4, 3) + bias (3,) = " << shifted << "\n";
  std::cout << "column (3, 1) * row (1, 4) = " << outer << "\n";
  // [/book:examples]

  // [book:failure]
  // A per-sample weight w of shape (4,) does not fit a (4, 3) batch: aligned on the right, 4
  // meets 3. It has to become a column first.
  const Tensor w = tensor({1, 2, 3, 4});
  bool failed = false;
  try {
    const Tensor wrong = batch * w;
  } catch (const ShapeError& e) {
    std::cout << "\nbatch (4, 3) * w (4,) throws ShapeError: " << e.what() << "\n";
    failed = true;
  }
  const Tensor weighted = batch * w.reshape({4, 1});  // (4, 3) * (4, 1) -> (4, 3)
  std::cout << "batch (4, 3) * w.reshape({4, 1}) = " << weighted << "\n";
  // [/book:failure]

  std::cout << "\nresult outer_sum " << sum(outer).item() << "\n";
  std::cout << "result weighted_sum " << sum(weighted).item() << "\n";
  // Exit 0 only when the mismatch was refused and the column worked.
  return failed && weighted.shape() == Shape{4, 3} ? 0 : 1;
}
