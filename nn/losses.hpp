#pragma once
// Loss functions and penalties, composed from differentiable ops (none has its own backward
// except binary_cross_entropy, whose primitive lives in autograd/primitives.hpp).
//
// Reduction: none keeps one value per element (or per sample / per unit, as documented),
// mean averages them, sum adds them. Predictions and targets must have the same shape.
#include <string>
#include <vector>

#include "autograd/variable.hpp"

namespace xtgrad::nn {

enum class Reduction { none, mean, sum };

// (pred - target)^2, elementwise.
Variable mse_loss(const Variable& pred, const Variable& target, Reduction r = Reduction::mean);
// |pred - target|, elementwise.
Variable l1_loss(const Variable& pred, const Variable& target, Reduction r = Reduction::mean);
// -(t log p + (1 - t) log(1 - p)) for probabilities p; logs clamped at -100 (finite at 0, 1).
Variable bce_loss(const Variable& prob, const Variable& target, Reduction r = Reduction::mean);
// The same loss from logits z (p = sigmoid(z)), stable for any z.
Variable bce_with_logits_loss(const Variable& logits, const Variable& target,
                              Reduction r = Reduction::mean);
// -log_probs[n, labels[n]] per sample: log_probs (N, C), labels int64 (N,) in [0, C)
// (DTypeError, ShapeError, IndexError otherwise). Entries off the label are never read, so a
// log-probability of -inf there is fine.
Variable nll_loss(const Variable& log_probs, const Tensor& labels, Reduction r = Reduction::mean);
// nll_loss(log_softmax(logits)): logits (N, C).
Variable cross_entropy_loss(const Variable& logits, const Tensor& labels,
                            Reduction r = Reduction::mean);
// KL(N(mu, e^logvar) || N(0, I)) = -1/2 sum_j (1 + logvar_j - mu_j^2 - e^logvar_j), per
// sample: mu, logvar (N, Z); none gives (N,), mean averages over samples.
// (Kingma & Welling 2014, appendix B.)
Variable kl_normal_loss(const Variable& mu, const Variable& logvar, Reduction r = Reduction::sum);
// The sparsity penalty of UFLDL's sparse autoencoder: with rho_hat_j the mean activation of
// hidden unit j over the batch (activations (N, H) in (0, 1)),
//   KL(rho || rho_hat_j) = rho log(rho / rho_hat_j) + (1 - rho) log((1 - rho) / (1 - rho_hat_j));
// none gives (H,), sum (UFLDL's choice) adds over units.
Variable kl_sparsity_loss(const Variable& activations, double rho, Reduction r = Reduction::sum);
// The one rule for the target rho (the loss, the sparse autoencoder and its config check it):
// a mean activation strictly between 0 and 1, where KL(rho || .) is finite. ValueError
// "<where>: rho must be in (0, 1), got <rho>" otherwise.
void check_sparsity_target(double rho, const std::string& where);
// |h|, elementwise: the L1 activity penalty on a code.
Variable l1_activity_loss(const Variable& activations, Reduction r = Reduction::mean);
// 1/2 sum of the squares of all the given parameters (multiply by lambda yourself).
Variable l2_penalty(const std::vector<Variable>& parameters);

}  // namespace xtgrad::nn
