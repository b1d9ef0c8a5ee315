// A planted bug (for the tests of check_exercises): solutions/kl_sparsity_backward.cpp with one
// mistake: the 1/N of d rho_hat_j / d a[n, j] is missing.
// Exercise kl_sparsity_backward (chapter 10): the backward rule of the sparse autoencoder's
// KL penalty (UFLDL), written as a loop over the activations.
#include "exercises.hpp"

namespace xtgrad {
namespace {

// rho_hat_j = 1/N sum_n a[n, j]                 the mean activation of hidden unit j
// l = sum_j rho log(rho / rho_hat_j) + (1 - rho) log((1 - rho) / (1 - rho_hat_j))   a scalar
//   grad_a[n, j] = g / N * (-rho / rho_hat_j + (1 - rho) / (1 - rho_hat_j))   for every n
// (a[n, j] enters l only through rho_hat_j, and d rho_hat_j / d a[n, j] = 1 / N)
struct KlSparsity {
  static constexpr const char* name = "kl_sparsity";
  double rho;
  Shape a_shape;
  Tensor rho_hat;  // (H,), kept for backward
  Tensor forward(Context&, const Variable& a) {
    if (a.dim() != 2)
      throw ShapeError("kl_sparsity: expected a (N, H), got " + shape_str(a.shape()));
    a_shape = a.shape();
    rho_hat = xtgrad::mean(a.data(), {0});
    const Tensor kl = rho * xtgrad::log(rho / rho_hat) +
                      (1.0 - rho) * xtgrad::log((1.0 - rho) / (1.0 - rho_hat));  // (H,)
    return xtgrad::sum(kl);
  }
  Grads backward(Context&, const Variable& g) {
    const auto rows = static_cast<std::size_t>(a_shape[0]);
    const auto cols = static_cast<std::size_t>(a_shape[1]);
    const std::vector<double> r = rho_hat.to_vector<double>();  // (H,)
    const double g_over_n = g.item();                           // PLANTED BUG
    std::vector<double> grad_a(rows * cols);                    // (N, H), row-major
    for (std::size_t n = 0; n < rows; ++n) {
      for (std::size_t j = 0; j < cols; ++j) {
        grad_a[n * cols + j] = g_over_n * (-rho / r[j] + (1.0 - rho) / (1.0 - r[j]));
      }
    }
    return {Variable(Tensor(grad_a, a_shape).to(g.dtype()))};
  }
};

}  // namespace

Variable exercises::kl_sparsity(const Variable& a, double rho) {
  return apply(KlSparsity{rho, {}, Tensor()}, a);
}

}  // namespace xtgrad
