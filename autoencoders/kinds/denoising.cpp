// The "denoising" kind: any other kind (its section's "inner") inside a DenoisingAutoencoder
// (denoising.hpp). Its sections are its own and its inner kind's.
#include <cmath>

#include "autoencoders/kind_sections.hpp"
#include "autoencoders/model_kinds.hpp"

namespace xtgrad::ae {

namespace {

const ModelKind& inner_kind(const RunConfig& c) {
  const std::string& inner = c.options.get<DenoisingConfig>().inner;
  if (inner == "denoising")
    throw ValueError("denoising.inner: a denoising model cannot wrap another one");
  return model_kind(inner);
}

}  // namespace

ModelKind denoising_kind() {
  ModelKind kind;
  kind.name = "denoising";
  kind.adds = "a corruption of the input around any model, scored on the clean input";
  kind.fields = [](ConfigFields& f, RunConfig& c) {
    DenoisingConfig& d = c.options.get<DenoisingConfig>();
    f.field("inner", d.inner);
    f.choice("noise", d.noise.kind, parse_noise, noise_name);
    f.field("level", d.noise.level);
  };
  kind.wraps = [](const RunConfig& c) { return inner_kind(c).name; };
  kind.check = [](const RunConfig& c, const std::string& where) {
    const DenoisingConfig d = c.options.get<DenoisingConfig>();
    try {
      inner_kind(c).check(c, where);
    } catch (const ValueError& e) {
      if (std::string(e.what()).rfind(where, 0) == 0) throw;
      throw ValueError(where + ": " + e.what());
    }
    if (!std::isfinite(d.noise.level) || d.noise.level < 0 ||
        (d.noise.kind != NoiseKind::gaussian && d.noise.level > 1)) {
      throw ValueError(where + ": denoising.level must be in [0, 1] (a sigma >= 0 for gaussian)");
    }
  };
  kind.widths = [](const RunConfig& c) { return inner_kind(c).widths(c); };
  kind.parameters = [](const RunConfig& c) {
    return inner_kind(c).parameters(c);
  };  // noise has none
  kind.set_code = [](RunConfig& c, std::int64_t code) { inner_kind(c).set_code(c, code); };
  kind.make_tiny = [](RunConfig& c) {
    DenoisingConfig& d = c.options.get<DenoisingConfig>();
    d.inner = "basic";
    d.noise = {NoiseKind::masking, 0.3};
    inner_kind(c).make_tiny(c);
  };
  kind.build = [](const RunConfig& c, Generator& gen) -> std::shared_ptr<Autoencoder> {
    return std::make_shared<DenoisingAutoencoder>(inner_kind(c).build(c, gen),
                                                  c.options.get<DenoisingConfig>().noise,
                                                  c.train.seed + kDenoisingNoiseSeedOffset);
  };
  return kind;
}

}  // namespace xtgrad::ae
