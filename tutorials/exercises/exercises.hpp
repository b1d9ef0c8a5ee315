#pragma once
// The gradient-checking exercises of the book (README.md in this folder).
//
// Each exercise is one op (a struct with forward and backward, as in autograd/function.hpp)
// or one layer, in its own file: mine/<exercise>.cpp is yours to finish, and
// solutions/<exercise>.cpp is the reference. forward is given; backward is the exercise.
// check_exercises tests every backward against finite differences (gradcheck) and against
// the library's own op. Shapes: N batch, M or C columns, K inner size, H hidden, Z latent.
#include <cstdint>
#include <string>

#include "autograd/all.hpp"
#include "nn/module.hpp"

namespace xtgrad::exercises {

// What a backward still marked TODO throws, so that the checker can say "not done yet".
class NotDoneYet : public Error {
 public:
  explicit NotDoneYet(const std::string& exercise_name)
      : Error("not done yet: write the TODO(exercise " + exercise_name +
              ") in tutorials/exercises/mine/" + exercise_name + ".cpp"),
        exercise(exercise_name) {}
  std::string exercise;
};

// --- chapter 02 ------------------------------------------------------------------------------
Variable sigmoid(const Variable& x);  // sigmoid_backward: 1 / (1 + e^-x)
Variable tanh(const Variable& x);     // tanh_backward: tanh x
Variable add_broadcast(const Variable& a,
                       const Variable& b);  // add_broadcast_backward: a (N, M) + b (M,)

// --- chapter 03 ------------------------------------------------------------------------------
Variable softplus(const Variable& x);                   // softplus_backward: log(1 + e^x)
Variable matmul(const Variable& a, const Variable& b);  // matmul_backward: (N, K) @ (K, M)
Variable log_softmax(const Variable& x);                // log_softmax_backward: rows of (N, C)

// --- chapter 04: swish_layer -------------------------------------------------------------------
// y = x sigmoid(beta x) for x (N, H), with one learnable beta per feature, beta (H,), from 1.
class Swish : public nn::Module {
 public:
  explicit Swish(std::int64_t features);
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Variable beta;  // (H,)
};

// --- chapters 05-11 -----------------------------------------------------------------------------
// linear_backward: x (N, in) W^T + b, with W (out, in), b (out,) -> (N, out)
Variable linear(const Variable& x, const Variable& w, const Variable& b);
// dropout_backward: x * mask / (1 - p), the mask (1 with probability 1 - p) drawn from gen
Variable dropout(const Variable& x, double p, Generator& gen);
// bce_backward: -(t log p + (1 - t) log(1 - p)), elementwise, p in (0, 1); t is data
Variable bce(const Variable& p, const Variable& t);
// mse_backward: mean of (pred - target)^2 over all elements (a scalar); target is data
Variable mse(const Variable& pred, const Variable& target);
// l2_penalty_backward: lambda / 2 * sum of w^2 (a scalar)
Variable l2_penalty(const Variable& w, double lambda);
// kl_sparsity_backward: sum_j KL(rho || rho_hat_j), rho_hat_j the mean of column j of a (N, H)
Variable kl_sparsity(const Variable& a, double rho);
// reparameterize_backward: mu + e^(logvar / 2) * eps, eps ~ N(0, 1) drawn from gen, all (N, Z)
Variable reparameterize(const Variable& mu, const Variable& logvar, Generator& gen);
// gaussian_kl_backward: KL(N(mu, e^logvar) || N(0, 1)) summed over samples and latents (a scalar)
Variable gaussian_kl(const Variable& mu, const Variable& logvar);

}  // namespace xtgrad::exercises
