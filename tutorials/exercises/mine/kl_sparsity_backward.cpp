// Exercise kl_sparsity_backward (chapter 10): the backward rule of the sparse autoencoder's
// KL penalty (UFLDL), written as a loop over the activations.
//
// forward is given; write backward where the TODO is, then check it with
//   scripts/exercises --exercise kl_sparsity_backward
// (the reference is solutions/kl_sparsity_backward.cpp: try first!)
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
    // TODO(exercise kl_sparsity_backward):
    //   grad_a[n, j] = g / N * (-rho / rho_hat_j + (1 - rho) / (1 - rho_hat_j))
    // return {grad_a}, grad_a (N, H) filled in a loop over n and j: rho_hat.to_vector<double>()
    // gives the H means and g.item() the incoming gradient (a scalar); fill a std::vector<double>
    // of N * H values row-major (a[n, j] at n * H + j) and return it as Variable(Tensor(grad_a,
    // a_shape).to(g.dtype())).
    throw exercises::NotDoneYet("kl_sparsity_backward");
  }
};

}  // namespace

Variable exercises::kl_sparsity(const Variable& a, double rho) {
  return apply(KlSparsity{rho, {}, Tensor()}, a);
}

}  // namespace xtgrad
