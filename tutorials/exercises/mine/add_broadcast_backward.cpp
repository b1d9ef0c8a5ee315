// Exercise add_broadcast_backward (chapter 02): a bias row added to every row of a matrix.
// The gradient of the broadcast operand is written as a loop, to see where it comes from.
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise add_broadcast_backward
// (the reference is solutions/add_broadcast_backward.cpp: try first!)
#include "exercises.hpp"

namespace xtgrad {
namespace {

// y[n, j] = a[n, j] + b[j]    a (N, M), b (M,), y (N, M)
//   grad_a = g
//   grad_b[j] = sum over n of g[n, j]: b[j] was used in every row, each use sends its gradient
struct AddBroadcast {
  static constexpr const char* name = "add_broadcast";
  Tensor forward(Context&, const Variable& a, const Variable& b) {
    if (a.dim() != 2 || b.shape() != Shape{a.shape()[1]}) {
      throw ShapeError("add_broadcast: expected a (N, M) and b (M,), got " + shape_str(a.shape()) +
                       " and " + shape_str(b.shape()));
    }
    return xtgrad::add(a.data(), b.data());
  }
  Grads backward(Context&, const Variable& g) {
    // TODO(exercise add_broadcast_backward):
    //   grad_a = g,  grad_b[j] = sum over n of g[n, j]
    // return {grad_a, grad_b}, grad_b (M,) summed in a loop: g.data().to_vector<double>() gives
    // g's values row-major (g[n, j] at n * M + j); add them into a std::vector<double> grad_b of M
    // zeros and return it as Variable(Tensor(grad_b, {M}).to(g.dtype())).
    throw exercises::NotDoneYet("add_broadcast_backward");
  }
};

}  // namespace

Variable exercises::add_broadcast(const Variable& a, const Variable& b) {
  return apply(AddBroadcast{}, a, b);
}

}  // namespace xtgrad
