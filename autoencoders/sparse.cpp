#include "autoencoders/sparse.hpp"

#include <cmath>
#include <sstream>

#include "autoencoders/deep.hpp"
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
    case SparsityPenalty::kl: return "kl";
    case SparsityPenalty::l1: return "l1";
    case SparsityPenalty::l2: return "l2";
  }
  return "kl";
}

SparseAutoencoder::SparseAutoencoder(std::shared_ptr<Autoencoder> inner_, const CodePenalty& penalty_)
    : inner(register_module("inner", std::move(inner_))), penalty(penalty_) {
  if (penalty.kind == SparsityPenalty::kl) nn::check_sparsity_target(penalty.rho, "SparseAutoencoder");
  if (!(penalty.weight >= 0) || !(penalty.weight_decay >= 0)) {
    throw ValueError("SparseAutoencoder: the penalty weight and weight decay must be >= 0");
  }
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
    o.loss = o.loss + penalty.weight_decay * nn::l2_penalty(weights);                 // lambda/2 sum W^2
  }
  switch (penalty.kind) {
    case SparsityPenalty::kl:
      o.loss = o.loss + penalty.weight * nn::kl_sparsity_loss(a, penalty.rho, nn::Reduction::sum);  // beta sum_j KL
      break;
    case SparsityPenalty::l1:
      o.loss = o.loss + penalty.weight * nn::l1_activity_loss(a, nn::Reduction::sum) / n;           // mean_n |a_n|_1
      break;
    case SparsityPenalty::l2:
      o.loss = o.loss + penalty.weight * sum(square(a)) / n;                                        // mean_n ||a_n||^2
      break;
  }
  return o;
}
// [/book:sparse-objective]

std::string SparseAutoencoder::describe() const {
  std::ostringstream s;
  s << "Sparse(" << inner->describe() << ", " << penalty_name(penalty.kind);
  if (penalty.kind == SparsityPenalty::kl) s << " rho " << penalty.rho << " beta " << penalty.weight;
  else s << " " << penalty.weight;
  if (penalty.weight_decay > 0) s << ", weight decay " << penalty.weight_decay;
  return s.str() + ")";
}

std::vector<std::pair<std::string, double>> SparseAutoencoder::report(const Tensor& x) {
  std::vector<std::pair<std::string, double>> numbers = inner->report(x);
  numbers.emplace_back("mean_hidden_activation", mean(encode_all(*this, x)).item());
  return numbers;
}

// ---------------------------------------------------------------- the "sparse" kind
namespace {

// UFLDL's one layer: sigmoid hidden layer and output, J = 1/2 ||y - x||^2.
DeepConfig ufldl_layer(const RunConfig& c) {
  DeepConfig layer;
  layer.sizes = {c.input_size, c.options.get<SparseConfig>().hidden};
  layer.code = Activation::sigmoid;
  layer.output = Activation::sigmoid;
  layer.loss = ReconstructionLoss::half_sse;
  return layer;
}

}  // namespace

ModelKind sparse_kind() {
  ModelKind kind;
  kind.name = "sparse";
  kind.adds = "a penalty on the code: KL sparsity (UFLDL), L1 or L2";
  kind.fields = [](ConfigFields& f, RunConfig& c) {
    SparseConfig& s = c.options.get<SparseConfig>();
    f.field("hidden", s.hidden);
    f.field("rho", s.rho);
    f.field("lambda", s.lambda);
    f.field("beta", s.beta);
    f.choice("penalty", s.penalty, parse_penalty, penalty_name);
    f.field("l1", s.l1);
  };
  kind.defaults = [](RunConfig& c) {  // UFLDL's protocol: its initialisation, full-batch L-BFGS
    c.init = Init::ufldl;             // with unit steps
    c.train.optimizer = "lbfgs";
    c.train.lr = 1.0;
  };
  kind.check = [](const RunConfig& c, const std::string& where) {
    const SparseConfig s = c.options.get<SparseConfig>();
    for (double v : {s.rho, s.lambda, s.beta, s.l1}) {
      if (!std::isfinite(v)) throw ValueError(where + ": sparse.rho, lambda, beta and l1 must be finite numbers");
    }
    nn::check_sparsity_target(s.rho, where + ", sparse");
    if (s.lambda < 0 || s.beta < 0 || s.l1 < 0) {
      throw ValueError(where + ": sparse: lambda, beta and l1 must be >= 0");
    }
  };
  kind.widths = [](const RunConfig& c) {
    return std::pair<std::vector<std::int64_t>, std::string>{{c.input_size, c.options.get<SparseConfig>().hidden}, "sparse.hidden"};
  };
  // (the penalty adds no parameters)
  kind.parameters = [](const RunConfig& c) { return deep_parameter_count(ufldl_layer(c)); };
  kind.set_code = [](RunConfig& c, std::int64_t code) { c.options.get<SparseConfig>().hidden = code; };
  kind.make_tiny = [](RunConfig& c) { c.options.get<SparseConfig>().hidden = 4; };
  kind.build = [](const RunConfig& c, Generator& gen) -> std::shared_ptr<Autoencoder> {
    const SparseConfig s = c.options.get<SparseConfig>();
    CodePenalty penalty;
    penalty.kind = s.penalty;
    penalty.weight = s.penalty == SparsityPenalty::kl ? s.beta : s.l1;
    penalty.rho = s.rho;
    penalty.weight_decay = s.lambda;
    return std::make_shared<SparseAutoencoder>(std::make_shared<DeepAutoencoder>(ufldl_layer(c), gen), penalty);
  };
  return kind;
}

}  // namespace xtgrad::ae
