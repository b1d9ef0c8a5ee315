// The "sparse" kind: Stanford's UFLDL sparse autoencoder (sparse.hpp) on one layer of `hidden`
// sigmoid units, with UFLDL's protocol as the defaults.
#include "autoencoders/kind_sections.hpp"
#include "autoencoders/model_kinds.hpp"

namespace xtgrad::ae {

namespace {

// UFLDL's one layer: sigmoid hidden layer and output, J = 1/2 ||y - x||^2.
DeepConfig ufldl_layer(const RunConfig& c) {
  DeepConfig layer;
  layer.sizes = {c.input_size, c.options.get<SparseConfig>().hidden};
  layer.code = nn::Activation::sigmoid;
  layer.output = nn::Activation::sigmoid;
  layer.loss = ReconstructionLoss::half_sse;
  return layer;
}

// The penalty the section asks for, weighted by beta (kl) or l1.
CodePenalty penalty_of(const SparseConfig& s, SparsityPenalty kind) {
  CodePenalty penalty;
  penalty.kind = kind;
  penalty.weight = kind == SparsityPenalty::kl ? s.beta : s.l1;
  penalty.rho = s.rho;
  penalty.weight_decay = s.lambda;
  return penalty;
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
    // Every key of the section must make sense, the penalty chosen and the one not chosen.
    const SparseConfig s = c.options.get<SparseConfig>();
    for (SparsityPenalty penalty : {SparsityPenalty::kl, SparsityPenalty::l1}) {
      check_code_penalty(penalty_of(s, penalty), where + ", sparse");
    }
  };
  kind.widths = [](const RunConfig& c) {
    return KindWidths{{c.input_size, c.options.get<SparseConfig>().hidden}, "sparse.hidden"};
  };
  // (the penalty adds no parameters)
  kind.parameters = [](const RunConfig& c) { return deep_parameter_count(ufldl_layer(c)); };
  kind.set_code = [](RunConfig& c, std::int64_t code) {
    c.options.get<SparseConfig>().hidden = code;
  };
  kind.make_tiny = [](RunConfig& c) { c.options.get<SparseConfig>().hidden = 4; };
  kind.build = [](const RunConfig& c, Generator& gen) -> std::shared_ptr<Autoencoder> {
    const SparseConfig s = c.options.get<SparseConfig>();
    return std::make_shared<SparseAutoencoder>(
        std::make_shared<DeepAutoencoder>(ufldl_layer(c), gen), penalty_of(s, s.penalty));
  };
  return kind;
}

}  // namespace xtgrad::ae
