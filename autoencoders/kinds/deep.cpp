// The "deep" kind: DeepAutoencoder (deep.hpp), its section the model's own DeepConfig.
#include "autoencoders/deep.hpp"
#include "autoencoders/model_kinds.hpp"

namespace xtgrad::ae {

ModelKind deep_kind() {
  ModelKind kind;
  kind.name = "deep";
  kind.adds = "a stack of layers down to the code and back up";
  kind.fields = [](ConfigFields& f, RunConfig& c) {
    DeepConfig& d = c.options.get<DeepConfig>();
    f.field("sizes", d.sizes);
    f.choice("hidden", d.hidden, nn::parse_activation, nn::activation_name);
    f.choice("code", d.code, nn::parse_activation, nn::activation_name);
    f.choice("output", d.output, nn::parse_activation, nn::activation_name);
    f.choice("loss", d.loss, parse_loss, loss_name);
    f.field("tied", d.tied);
  };
  kind.check = [](const RunConfig& c, const std::string& where) {
    const DeepConfig d = c.options.get<DeepConfig>();
    check_loss_fits_output(d.loss, d.output, where + ": deep");
  };
  kind.widths = [](const RunConfig& c) {
    return KindWidths{c.options.get<DeepConfig>().sizes, "deep.sizes"};
  };
  kind.parameters = [](const RunConfig& c) {
    return deep_parameter_count(c.options.get<DeepConfig>());
  };
  kind.set_code = [](RunConfig& c, std::int64_t code) {
    auto& sizes = c.options.get<DeepConfig>().sizes;
    if (sizes.size() >= 2) sizes.back() = code;
  };
  kind.make_tiny = [](RunConfig& c) { c.options.get<DeepConfig>().sizes = {6, 5, 4, 3}; };
  kind.build = [](const RunConfig& c, Generator& gen) -> std::shared_ptr<Autoencoder> {
    return std::make_shared<DeepAutoencoder>(c.options.get<DeepConfig>(), gen);
  };
  return kind;
}

}  // namespace xtgrad::ae
