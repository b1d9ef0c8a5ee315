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
  c.hidden = nn::Activation::sigmoid;
  c.code = nn::Activation::identity;
  c.output = nn::Activation::sigmoid;
  c.loss = ReconstructionLoss::bce;
  return c;
}

void check_deep_config(const DeepConfig& c, const std::string& where) {
  if (c.sizes.size() < 2) throw ValueError(where + ": needs at least two sizes (input and code)");
  for (std::int64_t size : c.sizes) {
    if (size <= 0)
      throw ValueError(where + ": sizes must be positive, got " + std::to_string(size));
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

namespace {

// Modules [begin, end) of a Sequential applied in turn to x.
Variable run(const nn::Sequential& layers, std::size_t begin, std::size_t end, const Variable& x) {
  Variable h = x;
  for (std::size_t i = begin; i < end; ++i) h = (*layers[i])(h);
  return h;
}

}  // namespace

// [book:deep-autoencoder]
DeepAutoencoder::DeepAutoencoder(const DeepConfig& config, Generator& gen) : config_(config) {
  check_deep_config(config, "DeepAutoencoder");
  const auto& s = config.sizes;
  const std::size_t layers = s.size() - 1;
  encoder = register_module("encoder", std::make_shared<nn::Sequential>());
  std::vector<std::shared_ptr<nn::Linear>> down;  // encoder layer i: s[i] -> s[i+1]
  for (std::size_t i = 0; i < layers; ++i) {
    down.push_back(std::make_shared<nn::Linear>(s[i], s[i + 1], gen));
    encoder->add(down.back())
        .add(nn::make_activation(i + 1 < layers ? config.hidden : config.code));
  }
  decoder = register_module("decoder", std::make_shared<nn::Sequential>());
  for (std::size_t i = layers; i-- > 0;) {  // back up, in the order data flows: s[i+1] -> s[i]
    if (config.tied) {
      decoder->add(std::make_shared<nn::TiedLinear>(down[i]));  // h W_i + c_i
    } else {
      decoder->add(std::make_shared<nn::Linear>(s[i + 1], s[i], gen));
    }
    decoder->add(nn::make_activation(i > 0 ? config.hidden : config.output));
  }
}
// [/book:deep-autoencoder]

Variable DeepAutoencoder::features(const Variable& x) {
  return run(*encoder, 0, encoder->size() - 2, x);
}

Variable DeepAutoencoder::code_from_features(const Variable& h) {
  return run(*encoder, encoder->size() - 2, encoder->size(), h);  // (N, Z)
}

// [book:deep-objective]
Variable DeepAutoencoder::decode_logits(const Variable& z) {
  return run(*decoder, 0, decoder->size() - 1, z);  // (N, D), before the output activation
}

Autoencoder::Objective DeepAutoencoder::objective(const Variable& input, const Variable& target) {
  const Variable z = encode(input);
  return {z, reconstruction_loss(decode_logits(z), target, config_.output, config_.loss)};
}
// [/book:deep-objective]

std::string DeepAutoencoder::describe() const {
  std::string s = config_.sizes.size() == 2 ? "Autoencoder(" : "DeepAutoencoder(";
  for (std::size_t i = 0; i < config_.sizes.size(); ++i)
    s += (i ? "-" : "") + std::to_string(config_.sizes[i]);
  return s + (config_.tied ? ", tied" : "") + ")";
}

Tensor DeepAutoencoder::first_layer_filters() const {
  return static_cast<const nn::Linear&>(*(*encoder)[0]).weight.data();  // (sizes[1], D)
}

std::vector<std::string> DeepAutoencoder::draw_pictures(const Tensor&, const std::string& dir,
                                                        std::uint64_t) {
  if (config_.sizes.size() != 2) return {};
  const Tensor filters = first_layer_filters();
  const std::string path = dir + "/filters.png";
  data::save_filter_grid(path, filters.rows(0, std::min<std::int64_t>(100, filters.size(0))), 28,
                         28, 10, 2);
  return {path};
}

namespace {

// One pretraining stage: encoder layer i with its activation, and the decoder layer that
// undoes it, as a shallow autoencoder:
//   (*encoder)[2i], (*encoder)[2i + 1]  |  (*decoder)[2j]      j = L - 1 - i
// The modules are the deep model's own (shared), so training the stage trains its weights.
class LayerPair : public nn::Module {
 public:
  LayerPair(DeepAutoencoder& deep, std::size_t i) : deep_(deep), i_(i) {
    const std::size_t j = deep.decoder->size() / 2 - 1 - i;
    up_ = register_module("encoder", (*deep.encoder)[2 * i]);
    up_activation_ = (*deep.encoder)[2 * i + 1];
    down_ = register_module("decoder", (*deep.decoder)[2 * j]);  // a TiedLinear when tied
  }
  Variable forward(const Variable& x) override { return decode_pre(encode(x)); }
  std::string describe() const override { return "LayerPair"; }
  Variable encode(const Variable& x) { return (*up_activation_)((*up_)(x)); }
  Variable decode_pre(const Variable& h) { return (*down_)(h); }
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
  std::shared_ptr<nn::Module> up_, up_activation_, down_;
};

}  // namespace

void DeepAutoencoder::pretrain(const Tensor& images, const PretrainOptions& options) {
  std::ostream& out = options.out ? *options.out : std::cout;
  Tensor codes = images;
  const std::size_t layers = config_.sizes.size() - 1;
  for (std::size_t i = 0; i < layers; ++i) {
    out << "pretraining layer " << i + 1 << "/" << layers << ": " << (*encoder)[2 * i]->describe()
        << "\n";
    LayerPair pair(*this, i);
    nn::Adam optimizer(pair.parameters(), options.lr);  // a tied decoder brings only its bias
    nn::TensorDataset data(codes);
    nn::FitOptions fit_options;
    fit_options.epochs = options.epochs;
    fit_options.batch_size = options.batch_size;
    fit_options.seed = options.seed + i;  // each layer shuffles its batches in its own order
    fit_options.out = options.out;
    fit_options.stop = options.stop;
    nn::fit(
        pair, [&](nn::Module&, const nn::Batch& b) { return pair.loss(b); }, optimizer, data,
        nullptr, fit_options);
    // The next layer trains on this layer's codes.
    codes =
        map_rows(codes, kEvalBatchRows, [&](const Variable& batch) { return pair.encode(batch); });
  }
}

}  // namespace xtgrad::ae
