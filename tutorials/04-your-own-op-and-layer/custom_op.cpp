// Chapter 4: adding a differentiable operation of your own.
//
// An op is a struct with a forward on Tensors and a backward on Variables, side by side.
// apply() runs forward and, when gradients are needed, records a node whose backward the
// engine will call. gradcheck() then compares your backward with finite differences,
// gradgradcheck() checks that the backward can itself be differentiated, and to_dot() shows
// the graph your op became part of.
//
//   ch04_custom_op [--short] [--out DIR]   (it takes no time and writes no file)
#include <iostream>

#include "../common/program_args.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;

// [book:cube]
// y = x^3            grad_x = grad_y * 3 x^2
struct Cube {
  static constexpr const char* name = "cube";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);  // backward needs x
    return x.data() * x.data() * x.data();
  }
  Grads backward(Context& ctx, const Variable& grad_y) {
    const Variable x = ctx.saved(0);
    // Written with Variable operations, so that second derivatives work too.
    return {grad_y * 3.0 * x * x};
  }
};

Variable cube(const Variable& x) { return apply(Cube{}, x); }
// [/book:cube]

int main(int argc, char** argv) {
  book::parse_program_args(argc, argv, "ch04_custom_op");
  // [book:use]
  Variable x(tensor({-1.0, 0.5, 2.0}, DType::float64), /*requires_grad=*/true);
  x.set_name("x");

  Variable y = sum(cube(x));
  y.backward();
  std::cout << "x          = " << x.data() << "\n";
  std::cout << "d(sum x^3) = " << x.grad().data() << "   (3 x^2)\n";

  auto f = [](const std::vector<Variable>& in) { return sum(cube(in[0])); };
  const GradcheckReport first = gradcheck(f, {x});
  const GradcheckReport second = gradgradcheck(f, {x});
  // [/book:use]
  std::cout << "gradcheck:     " << first.summary() << "\n";
  std::cout << "gradgradcheck: " << second.summary() << "\n";

  std::cout << "\nThe graph of sum(cube(x)) * 2, in Graphviz DOT:\n"
            << to_dot({sum(cube(x)) * 2.0});

  std::cout << "\nresult cube_grad_at_2 " << x.grad().data().at({2}) << "\n";
  std::cout << "result gradcheck_passed " << (first.passed ? 1 : 0) << "\n";
  std::cout << "result gradgradcheck_passed " << (second.passed ? 1 : 0) << "\n";
  return first.passed && second.passed ? 0 : 1;
}
