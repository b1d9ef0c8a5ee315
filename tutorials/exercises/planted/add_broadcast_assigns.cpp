// A planted bug (for the tests of check_exercises): solutions/add_broadcast_backward.cpp with one
// mistake: '=' where '+=' was meant: only the last row's gradient is kept.
// Exercise add_broadcast_backward (chapter 02): a bias row added to every row of a matrix.
// The gradient of the broadcast operand is written as a loop, to see where it comes from.
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
    const auto rows = static_cast<std::size_t>(g.shape()[0]);
    const auto cols = static_cast<std::size_t>(g.shape()[1]);
    const std::vector<double> g_flat = g.data().to_vector<double>();  // (N, M), row-major
    std::vector<double> grad_b(cols, 0.0);                            // (M,)
    for (std::size_t n = 0; n < rows; ++n) {
      for (std::size_t j = 0; j < cols; ++j) grad_b[j] = g_flat[n * cols + j];  // PLANTED BUG: +=
    }
    return {g, Variable(Tensor(grad_b, {g.shape()[1]}).to(g.dtype()))};
  }
};

}  // namespace

Variable exercises::add_broadcast(const Variable& a, const Variable& b) {
  return apply(AddBroadcast{}, a, b);
}

}  // namespace xtgrad
