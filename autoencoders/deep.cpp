#include "autoencoders/deep.hpp"

#include <iostream>

#include "nn/fit.hpp"
#include "nn/optimizers.hpp"
#include "autograd/ops.hpp"
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

DeepAutoencoder::DeepAutoencoder(const DeepConfig& config, Generator& gen) : config_(config) {
  const auto& s = config.sizes;
  if (s.size() < 2) {
    throw ValueError("DeepAutoencoder: needs at least two sizes (input and code)");
  }
  for (std::int64_t size : s) {
    if (size <= 0) throw ValueError("DeepAutoencoder: sizes must be positive");
  }
  if (config.loss == ReconstructionLoss::bce && config.output != Activation::sigmoid) {
    throw ValueError("DeepAutoencoder: the BCE loss needs a sigmoid output");
  }
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    encoders.push_back(register_module("encoder" + std::to_string(i), std::make_shared<nn::Linear>(s[i], s[i + 1], gen)));
  }
  decoders.resize(encoders.size());
  for (std::size_t i = encoders.size(); i-- > 0;) {  // registered in the order data flows
    decoders[i] = register_module("decoder" + std::to_string(encoders.size() - 1 - i),
                                  std::make_shared<nn::Linear>(s[i + 1], s[i], gen));
  }
}

Variable DeepAutoencoder::encode(const Variable& x) {
  Variable h = x;
  for (std::size_t i = 0; i < encoders.size(); ++i) {
    const bool is_code = i + 1 == encoders.size();
    h = activate((*encoders[i])(h), is_code ? config_.code : config_.hidden);
  }
  return h;  // (N, Z)
}

Variable DeepAutoencoder::decode_pre(const Variable& z) {
  Variable h = z;
  for (std::size_t i = decoders.size(); i-- > 0;) {
    h = (*decoders[i])(h);
    if (i > 0) h = activate(h, config_.hidden);
  }
  return h;  // (N, D), before the output activation
}

Variable DeepAutoencoder::decode(const Variable& z) { return activate(decode_pre(z), config_.output); }

Variable DeepAutoencoder::loss_for(const Variable& input, const Variable& target) {
  return reconstruction_loss(decode_pre(encode(input)), target, config_.output, config_.loss);
}

std::string DeepAutoencoder::describe() const {
  std::string s = "DeepAutoencoder(";
  for (std::size_t i = 0; i < config_.sizes.size(); ++i) s += (i ? "-" : "") + std::to_string(config_.sizes[i]);
  return s + ")";
}

namespace {

// One pretraining stage: encoders[i] and decoders[i] as a shallow autoencoder.
class LayerPair : public nn::Module {
 public:
  LayerPair(DeepAutoencoder& deep, std::size_t i) : deep_(deep), i_(i) {
    register_module("encoder", deep.encoders[i]);
    register_module("decoder", deep.decoders[i]);
  }
  Variable forward(const Variable& x) override { return decode_pre(encode(x)); }
  std::string describe() const override { return "LayerPair"; }
  Variable encode(const Variable& x) {
    const bool is_code = i_ + 1 == deep_.encoders.size();
    return activate((*deep_.encoders[i_])(x), is_code ? deep_.config().code : deep_.config().hidden);
  }
  Variable decode_pre(const Variable& h) { return (*deep_.decoders[i_])(h); }
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

void pretrain_greedy(DeepAutoencoder& model, const Tensor& images, const PretrainOptions& options) {
  std::ostream& out = options.out ? *options.out : std::cout;
  Tensor codes = images;
  for (std::size_t i = 0; i < model.encoders.size(); ++i) {
    out << "pretraining layer " << i + 1 << "/" << model.encoders.size() << ": "
        << model.encoders[i]->describe() << "\n";
    LayerPair pair(model, i);
    nn::Adam optimizer(pair.parameters(), options.lr);
    nn::TensorDataset data(codes);
    nn::FitOptions fit_options;
    fit_options.epochs = options.epochs;
    fit_options.batch_size = options.batch_size;
    fit_options.seed = options.seed + i;
    fit_options.out = options.out;
    nn::fit(pair, [&](nn::Module&, const nn::Batch& b) { return pair.loss(b); }, optimizer, data, nullptr, fit_options);
    // The next layer trains on this layer's codes.
    codes = map_rows(codes, 1000, [&](const Variable& batch) { return pair.encode(batch); });
  }
}

}  // namespace xtgrad::ae
