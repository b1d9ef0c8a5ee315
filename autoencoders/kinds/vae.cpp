// The "vae" kind: VariationalAutoencoder (variational.hpp), its section the model's VAEConfig.
#include <cmath>

#include "autoencoders/model_kinds.hpp"
#include "autoencoders/variational.hpp"

namespace xtgrad::ae {

ModelKind vae_kind() {
  ModelKind kind;
  kind.name = "vae";
  kind.adds = "a Gaussian head on the deep model's code and a KL term: codes to sample from";
  kind.fields = [](ConfigFields& f, RunConfig& c) {
    VAEConfig& v = c.options.get<VAEConfig>();
    f.field("hidden", v.hidden);
    f.field("latent", v.latent);
    f.field("beta", v.beta);
  };
  kind.defaults = [](RunConfig& c) { c.train.batch_size = 128; };  // PyTorch's example
  kind.check = [](const RunConfig& c, const std::string& where) {
    const double beta = c.options.get<VAEConfig>().beta;
    if (!std::isfinite(beta) || beta < 0)
      throw ValueError(where + ": vae.beta must be a finite number >= 0");
  };
  kind.widths = [](const RunConfig& c) {
    const VAEConfig v = c.options.get<VAEConfig>();
    return KindWidths{{c.input_size, v.hidden, v.latent}, "vae.hidden and vae.latent"};
  };
  kind.parameters = [](const RunConfig& c) {
    VAEConfig v = c.options.get<VAEConfig>();
    v.input = c.input_size;
    return vae_parameter_count(v);
  };
  kind.set_code = [](RunConfig& c, std::int64_t code) { c.options.get<VAEConfig>().latent = code; };
  kind.make_tiny = [](RunConfig& c) {
    VAEConfig& v = c.options.get<VAEConfig>();
    v.hidden = 5;
    v.latent = 3;
  };
  kind.build = [](const RunConfig& c, Generator& gen) -> std::shared_ptr<Autoencoder> {
    VAEConfig v = c.options.get<VAEConfig>();
    v.input = c.input_size;
    return std::make_shared<VariationalAutoencoder>(v, gen, c.train.seed + kVaeNoiseSeedOffset);
  };
  return kind;
}

}  // namespace xtgrad::ae
