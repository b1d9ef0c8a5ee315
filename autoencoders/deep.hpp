#pragma once
// The deep autoencoder: a stack of layers down to the code and its mirror image back up. It is
// the first step of the ladder (model_kinds.hpp); the basic autoencoder is its one-layer case.
//
//   sizes {784, 1000, 500, 250, 30}:  784 -> 1000 -> 500 -> 250 -> 30 -> 250 -> 500 -> 1000 -> 784
//
//   h_0 = x,  h_(i+1) = hidden(h_i W_i^T + b_i)       encoder i: sizes[i] -> sizes[i+1]
//   z = code(h_(L-1) W_(L-1)^T + b_(L-1))             the last encoder layer makes the code
//   then back up through decoder i: sizes[i+1] -> sizes[i], hidden activations in between
//   and `output` on the last; tied weights use W_i^T as decoder i's weight (own biases).
//
// Hinton & Salakhutdinov (2006, Science 313:504) used logistic hidden units, a linear code, a
// logistic output and cross-entropy (DeepConfig::hinton()). They pretrained the stack greedily,
// one layer at a time, before fine-tuning it as a whole: pretrain() does that with shallow
// autoencoders (they used RBMs), each trained on the codes of the layer below.
#include <vector>

#include "autoencoders/autoencoder.hpp"
#include "nn/linear.hpp"

namespace xtgrad::ae {

struct DeepConfig {
  std::vector<std::int64_t> sizes{784, 128, 64, 32};
  Activation hidden = Activation::relu;
  Activation code = Activation::relu;
  Activation output = Activation::sigmoid;
  ReconstructionLoss loss = ReconstructionLoss::bce;
  bool tied = false;  // decoder i uses encoder i's weight, transposed: half the weights
  static DeepConfig hinton();  // 784-1000-500-250-30, logistic, linear code, BCE
};

class DeepAutoencoder : public Autoencoder {
 public:
  DeepAutoencoder(const DeepConfig& config, Generator& gen);

  Variable encode(const Variable& x) override { return code_from_features(features(x)); }
  Variable decode(const Variable& z) override { return activate(decode_logits(z), config_.output); }
  Objective objective(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  std::int64_t input_size() const override { return config_.sizes.front(); }
  std::int64_t code_size() const override { return config_.sizes.back(); }
  bool logistic_output() const override { return config_.output == Activation::sigmoid; }
  Tensor first_layer_filters() const override { return encoders.front()->weight.data(); }
  void pretrain(const Tensor& images, const PretrainOptions& options) override;
  // One layer: filters.png, the first layer's weights as images (a deep model's are not
  // what its code means).
  std::vector<std::string> draw_pictures(const Tensor& test_images, const std::string& dir,
                                         std::uint64_t seed) override;
  const DeepConfig& config() const { return config_; }

  // The pieces, for models built on this one (the VAE puts its Gaussian head on them):
  Variable features(const Variable& x);                // every encoder layer but the last: (N, sizes[L-1])
  Variable code_from_features(const Variable& h);      // the last encoder layer: (N, Z)
  Variable decode_logits(const Variable& z);           // the decoder before `output`: (N, D)

  std::vector<std::shared_ptr<nn::Linear>> encoders;  // encoders[i]: sizes[i] -> sizes[i+1]
  std::vector<std::shared_ptr<nn::Linear>> decoders;  // decoders[i]: sizes[i+1] -> sizes[i] (empty when tied)
  std::vector<Variable> decoder_biases;               // tied: decoder i's bias (sizes[i],)

 private:
  Variable decoder_layer(std::size_t i, const Variable& h);  // h W_i + c_i (tied) or decoders[i](h)
  DeepConfig config_;
};

// How many parameters a DeepAutoencoder with this config has, counted without building it:
//   sum over layers i of  a b + b  (encoder a -> b)  +  a b + a  (decoder b -> a)
// with a = sizes[i], b = sizes[i + 1], and no decoder weight when tied. In double: the product
// of two huge sizes must not wrap around before check_config compares it with its limit.
double deep_parameter_count(const DeepConfig& c);
// ValueError, starting with `where`, unless these sizes can build a model (at least the input
// and the code, each positive, and the BCE loss only with a logistic output).
void check_deep_config(const DeepConfig& c, const std::string& where);

}  // namespace xtgrad::ae
