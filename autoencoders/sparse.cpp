#include "autoencoders/sparse.hpp"

#include <cmath>
#include <sstream>

#include "autograd/ops.hpp"
#include "nn/losses.hpp"
#include "tensor/all.hpp"

namespace xtgrad::ae {

SparsityPenalty parse_penalty(const std::string& name) {
  if (name == "kl") return SparsityPenalty::kl;
  if (name == "l1") return SparsityPenalty::l1;
  if (name == "l2") return SparsityPenalty::l2;
  throw ValueError("sparse penalty: unknown " + quote(name) + " (kl, l1, l2)");
}

std::string penalty_name(SparsityPenalty penalty) {
  switch (penalty) {
    case SparsityPenalty::kl:
      return "kl";
    case SparsityPenalty::l1:
      return "l1";
    case SparsityPenalty::l2:
      return "l2";
  }
  return "kl";
}

void check_code_penalty(const CodePenalty& penalty, const std::string& where) {
  if (penalty.kind == SparsityPenalty::kl) nn::check_sparsity_target(penalty.rho, where);
  const bool weights_ok = std::isfinite(penalty.weight) && penalty.weight >= 0 &&
                          std::isfinite(penalty.weight_decay) && penalty.weight_decay >= 0;
  if (!weights_ok) {
    std::ostringstream s;
    s << where
      << ": the penalty weight (beta or l1) and the weight decay (lambda) must be finite and >= 0; "
         "got "
      << "weight " << penalty.weight << ", weight decay " << penalty.weight_decay;
    throw ValueError(s.str());
  }
}

SparseAutoencoder::SparseAutoencoder(std::shared_ptr<Autoencoder> inner_,
                                     const CodePenalty& penalty_)
    : WrappedAutoencoder(std::move(inner_)), penalty(penalty_) {
  check_code_penalty(penalty, "SparseAutoencoder");
}

// [book:sparse-objective]
Autoencoder::Objective SparseAutoencoder::objective(const Variable& input, const Variable& target) {
  Objective o = inner->objective(input, target);
  const Variable& a = o.code;  // (N, Z)
  const double n = static_cast<double>(a.shape()[0]);
  if (penalty.weight_decay > 0) {
    std::vector<Variable> weights;  // the weight matrices, not the biases
    for (const auto& [name, p] : inner->named_parameters()) {
      if (p.dim() == 2) weights.push_back(p);
    }
    o.loss = o.loss + penalty.weight_decay * nn::l2_penalty(weights);  // lambda/2 sum W^2
  }
  switch (penalty.kind) {
    case SparsityPenalty::kl:
      o.loss = o.loss + penalty.weight * nn::kl_sparsity_loss(a, penalty.rho,
                                                              nn::Reduction::sum);  // beta sum_j KL
      break;
    case SparsityPenalty::l1:
      o.loss = o.loss +
               penalty.weight * nn::l1_activity_loss(a, nn::Reduction::sum) / n;  // mean_n |a_n|_1
      break;
    case SparsityPenalty::l2:
      o.loss = o.loss + penalty.weight * sum(square(a)) / n;  // mean_n ||a_n||^2
      break;
  }
  return o;
}
// [/book:sparse-objective]

std::string SparseAutoencoder::describe() const {
  std::ostringstream s;
  s << "Sparse(" << inner->describe() << ", " << penalty_name(penalty.kind);
  if (penalty.kind == SparsityPenalty::kl)
    s << " rho " << penalty.rho << " beta " << penalty.weight;
  else
    s << " " << penalty.weight;
  if (penalty.weight_decay > 0) s << ", weight decay " << penalty.weight_decay;
  return s.str() + ")";
}

std::vector<std::pair<std::string, double>> SparseAutoencoder::report(const Tensor& x) {
  std::vector<std::pair<std::string, double>> numbers = inner->report(x);
  numbers.emplace_back("mean_hidden_activation", mean(encode_all(*this, x)).item());
  return numbers;
}

}  // namespace xtgrad::ae
