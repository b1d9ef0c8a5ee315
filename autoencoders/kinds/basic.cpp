// The "basic" kind: the one-layer deep model (kind_sections.hpp), optionally tied, and wrapped
// in an L2 penalty on its code when code_l2 > 0.
#include <cmath>

#include "autoencoders/kind_sections.hpp"
#include "autoencoders/model_kinds.hpp"

namespace xtgrad::ae {

DeepConfig one_layer(std::int64_t input, const BasicConfig& basic) {
  DeepConfig d;
  d.sizes = {input, basic.code};
  d.code = basic.hidden;  // the one hidden layer is the code
  d.output = basic.output;
  d.loss = basic.loss;
  d.tied = basic.tied;
  return d;
}

ModelKind basic_kind() {
  ModelKind kind;
  kind.name = "basic";
  kind.adds = "the one-layer deep model, optionally tied and with an L2 penalty on the code";
  kind.fields = [](ConfigFields& f, RunConfig& c) {
    BasicConfig& b = c.options.get<BasicConfig>();
    f.field("code", b.code);
    f.choice("hidden", b.hidden, nn::parse_activation, nn::activation_name);
    f.choice("output", b.output, nn::parse_activation, nn::activation_name);
    f.choice("loss", b.loss, parse_loss, loss_name);
    f.field("tied", b.tied);
    f.field("code_l2", b.code_l2);
  };
  kind.check = [](const RunConfig& c, const std::string& where) {
    const BasicConfig b = c.options.get<BasicConfig>();
    if (!std::isfinite(b.code_l2) || b.code_l2 < 0) {
      throw ValueError(where + ": basic.code_l2 must be a finite number >= 0");
    }
    check_loss_fits_output(b.loss, b.output, where + ": basic");
  };
  kind.widths = [](const RunConfig& c) {
    return KindWidths{{c.input_size, c.options.get<BasicConfig>().code}, "basic.code"};
  };
  // (code_l2 wraps the model in a penalty, which adds no parameters)
  kind.parameters = [](const RunConfig& c) {
    return deep_parameter_count(one_layer(c.input_size, c.options.get<BasicConfig>()));
  };
  kind.set_code = [](RunConfig& c, std::int64_t code) { c.options.get<BasicConfig>().code = code; };
  kind.make_tiny = [](RunConfig& c) { c.options.get<BasicConfig>().code = 3; };
  kind.build = [](const RunConfig& c, Generator& gen) -> std::shared_ptr<Autoencoder> {
    const BasicConfig b = c.options.get<BasicConfig>();
    auto model = std::make_shared<DeepAutoencoder>(one_layer(c.input_size, b), gen);
    if (b.code_l2 == 0) return model;
    CodePenalty penalty;
    penalty.kind = SparsityPenalty::l2;
    penalty.weight = b.code_l2;
    return std::make_shared<SparseAutoencoder>(model, penalty);
  };
  return kind;
}

}  // namespace xtgrad::ae
