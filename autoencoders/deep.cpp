#include "autoencoders/deep.hpp"

#include <iostream>

#include "autograd/ops.hpp"
#include "data/pictures.hpp"
#include "nn/fit.hpp"
#include "nn/optimizers.hpp"
#include "tensor/all.hpp"

namespace xtgrad::ae {

DeepConfig DeepConfig::hinton() {
  DeepConfig c;
  c.sizes = {784, 1000, 500, 250, 30};
  c.hidden = Activation::sigmoid;
  c.code = Activation::identity;
  c.output = Activation::sigmoid;
  c.loss = ReconstructionLoss::bce;
  return c;
}

void check_deep_config(const DeepConfig& c, const std::string& where) {
  if (c.sizes.size() < 2) throw ValueError(where + ": needs at least two sizes (input and code)");
  for (std::int64_t size : c.sizes) {
    if (size <= 0) throw ValueError(where + ": sizes must be positive, got " + std::to_string(size));
  }
  check_loss_fits_output(c.loss, c.output, where);
}

double deep_parameter_count(const DeepConfig& c) {
  double count = 0;
  for (std::size_t i = 0; i + 1 < c.sizes.size(); ++i) {
    const double a = static_cast<double>(c.sizes[i]), b = static_cast<double>(c.sizes[i + 1]);
    count += (a * b + b) + ((c.tied ? 0 : a * b) + a);  // encoder i, decoder i
  }
  return count;
}

DeepAutoencoder::DeepAutoencoder(const DeepConfig& config, Generator& gen) : config_(config) {
  check_deep_config(config, "DeepAutoencoder");
  const auto& s = config.sizes;
  const std::size_t layers = s.size() - 1;
  for (std::size_t i = 0; i < layers; ++i) {
    encoders.push_back(register_module("encoder" + std::to_string(i), std::make_shared<nn::Linear>(s[i], s[i + 1], gen)));
  }
  if (config.tied) {
    decoder_biases.resize(layers);
    for (std::size_t i = layers; i-- > 0;) {
      decoder_biases[i] = register_parameter("decoder" + std::to_string(layers - 1 - i) + "_bias", zeros({s[i]}));
    }
    return;
  }
  decoders.resize(layers);
  for (std::size_t i = layers; i-- > 0;) {  // registered in the order data flows
    decoders[i] = register_module("decoder" + std::to_string(layers - 1 - i), std::make_shared<nn::Linear>(s[i + 1], s[i], gen));
  }
}

Variable DeepAutoencoder::features(const Variable& x) {
  Variable h = x;
  for (std::size_t i = 0; i + 1 < encoders.size(); ++i) h = activate((*encoders[i])(h), config_.hidden);
  return h;
}

Variable DeepAutoencoder::code_from_features(const Variable& h) {
  return activate((*encoders.back())(h), config_.code);  // (N, Z)
}

Variable DeepAutoencoder::decoder_layer(std::size_t i, const Variable& h) {
  if (config_.tied) return matmul(h, encoders[i]->weight) + decoder_biases[i];  // (N, s[i+1]) @ (s[i+1], s[i])
  return (*decoders[i])(h);
}

Variable DeepAutoencoder::decode_logits(const Variable& z) {
  Variable h = z;
  for (std::size_t i = encoders.size(); i-- > 0;) {
    h = decoder_layer(i, h);
    if (i > 0) h = activate(h, config_.hidden);
  }
  return h;  // (N, D), before the output activation
}

Autoencoder::Objective DeepAutoencoder::objective(const Variable& input, const Variable& target) {
  const Variable z = encode(input);
  return {z, reconstruction_loss(decode_logits(z), target, config_.output, config_.loss)};
}

std::string DeepAutoencoder::describe() const {
  std::string s = encoders.size() == 1 ? "Autoencoder(" : "DeepAutoencoder(";
  for (std::size_t i = 0; i < config_.sizes.size(); ++i) s += (i ? "-" : "") + std::to_string(config_.sizes[i]);
  return s + (config_.tied ? ", tied" : "") + ")";
}

std::vector<std::string> DeepAutoencoder::draw_pictures(const Tensor&, const std::string& dir, std::uint64_t) {
  if (encoders.size() != 1) return {};
  const Tensor filters = first_layer_filters();
  const std::string path = dir + "/filters.png";
  data::save_filter_grid(path, filters.rows(0, std::min<std::int64_t>(100, filters.size(0))), 28, 28, 10, 2);
  return {path};
}

namespace {

// One pretraining stage: encoder i and decoder i as a shallow autoencoder.
class LayerPair : public nn::Module {
 public:
  LayerPair(DeepAutoencoder& deep, std::size_t i) : deep_(deep), i_(i) {
    register_module("encoder", deep.encoders[i]);
    if (!deep.config().tied) register_module("decoder", deep.decoders[i]);
  }
  // What this stage trains: a tied decoder's bias is the deep model's, not a module's.
  std::vector<Variable> trained() {
    std::vector<Variable> p = parameters();
    if (deep_.config().tied) p.push_back(deep_.decoder_biases[i_]);
    return p;
  }
  Variable forward(const Variable& x) override { return decode_pre(encode(x)); }
  std::string describe() const override { return "LayerPair"; }
  Variable encode(const Variable& x) {
    const bool is_code = i_ + 1 == deep_.encoders.size();
    return activate((*deep_.encoders[i_])(x), is_code ? deep_.config().code : deep_.config().hidden);
  }
  Variable decode_pre(const Variable& h) {
    if (deep_.config().tied) return matmul(h, deep_.encoders[i_]->weight) + deep_.decoder_biases[i_];
    return (*deep_.decoders[i_])(h);
  }
  // Pixels: the model's own loss; codes of the layer below: squared error of the activation.
  Variable loss(const nn::Batch& batch) {
    const Variable x(batch.input);
    const Variable pre = decode_pre(encode(x));
    if (i_ == 0) return reconstruction_loss(pre, x, deep_.config().output, deep_.config().loss);
    return reconstruction_loss(pre, x, deep_.config().hidden, ReconstructionLoss::sse);
  }

 private:
  DeepAutoencoder& deep_;
  std::size_t i_;
};

}  // namespace

void DeepAutoencoder::pretrain(const Tensor& images, const PretrainOptions& options) {
  std::ostream& out = options.out ? *options.out : std::cout;
  Tensor codes = images;
  for (std::size_t i = 0; i < encoders.size(); ++i) {
    out << "pretraining layer " << i + 1 << "/" << encoders.size() << ": " << encoders[i]->describe() << "\n";
    LayerPair pair(*this, i);
    nn::Adam optimizer(pair.trained(), options.lr);
    nn::TensorDataset data(codes);
    nn::FitOptions fit_options;
    fit_options.epochs = options.epochs;
    fit_options.batch_size = options.batch_size;
    fit_options.seed = options.seed + i;  // each layer shuffles its batches in its own order
    fit_options.out = options.out;
    fit_options.stop = options.stop;
    nn::fit(pair, [&](nn::Module&, const nn::Batch& b) { return pair.loss(b); }, optimizer, data, nullptr, fit_options);
    // The next layer trains on this layer's codes.
    codes = map_rows(codes, kEvalBatchRows, [&](const Variable& batch) { return pair.encode(batch); });
  }
}

// ---------------------------------------------------------------- the "deep" kind
ModelKind deep_kind() {
  ModelKind kind;
  kind.name = "deep";
  kind.adds = "a stack of layers down to the code and back up";
  kind.fields = [](ConfigFields& f, RunConfig& c) {
    DeepConfig& d = c.options.get<DeepConfig>();
    f.field("sizes", d.sizes);
    f.choice("hidden", d.hidden, parse_activation, activation_name);
    f.choice("code", d.code, parse_activation, activation_name);
    f.choice("output", d.output, parse_activation, activation_name);
    f.choice("loss", d.loss, parse_loss, loss_name);
    f.field("tied", d.tied);
  };
  kind.defaults = [](RunConfig&) {};
  kind.check = [](const RunConfig& c, const std::string& where) {
    const DeepConfig d = c.options.get<DeepConfig>();
    check_loss_fits_output(d.loss, d.output, where + ": deep");
  };
  kind.widths = [](const RunConfig& c) {
    return std::pair<std::vector<std::int64_t>, std::string>{c.options.get<DeepConfig>().sizes, "deep.sizes"};
  };
  kind.parameters = [](const RunConfig& c) { return deep_parameter_count(c.options.get<DeepConfig>()); };
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
