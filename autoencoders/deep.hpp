#pragma once
// The deep autoencoder: a stack of layers down to the code and its mirror image back up. It is
// the first step of the ladder (model_kinds.hpp); the basic autoencoder is its one-layer case.
// Both sides are nn::Sequential stacks of nn::Linear layers and activation layers:
//
//   sizes {784, 1000, 500, 250, 30}:  784 -> 1000 -> 500 -> 250 -> 30 -> 250 -> 500 -> 1000 -> 784
//
//   encoder  Linear(784 -> 1000), hidden, Linear(1000 -> 500), hidden, ..., Linear(250 -> 30), code
//   decoder  Linear(30 -> 250), hidden, ..., Linear(1000 -> 784), output
//
//   h_0 = x,  h_(i+1) = hidden(h_i W_i^T + b_i)       encoder layer i: sizes[i] -> sizes[i+1]
//   z = code(h_(L-1) W_(L-1)^T + b_(L-1))             the last encoder layer makes the code
//   then back up through decoder layer i: sizes[i+1] -> sizes[i], hidden activations in between
//   and `output` on the last. With tied weights decoder layer i is an nn::TiedLinear: encoder
//   layer i's weight, transposed (h W_i + c_i), with a bias of its own.
//
// Every layer is at an even position of its Sequential and its activation (nn::Identity for a
// linear one) right after it, so encoder layer i is (*encoder)[2 i] and decoder layer i, which
// undoes it, is (*decoder)[2 (L - 1 - i)]. Parameters are named as in PyTorch:
// encoder.0.weight, encoder.0.bias, encoder.2.weight, ..., decoder.0.weight, ...
//
// Hinton & Salakhutdinov (2006, Science 313:504) used logistic hidden units, a linear code, a
// logistic output and cross-entropy (DeepConfig::hinton()). They pretrained the stack greedily,
// one layer at a time, before fine-tuning it as a whole: pretrain() does that with shallow
// autoencoders (they used RBMs), each trained on the codes of the layer below.
#include <vector>

#include "autoencoders/autoencoder.hpp"
#include "nn/linear.hpp"
#include "nn/sequential.hpp"

namespace xtgrad::ae {

struct DeepConfig {
  std::vector<std::int64_t> sizes{784, 128, 64, 32};
  nn::Activation hidden = nn::Activation::relu;
  nn::Activation code = nn::Activation::relu;
  nn::Activation output = nn::Activation::sigmoid;
  ReconstructionLoss loss = ReconstructionLoss::bce;
  bool tied = false;           // decoder i uses encoder i's weight, transposed: half the weights
  static DeepConfig hinton();  // 784-1000-500-250-30, logistic, linear code, BCE
};

class DeepAutoencoder : public Autoencoder {
 public:
  DeepAutoencoder(const DeepConfig& config, Generator& gen);

  // [book:deep-forward]
  Variable encode(const Variable& x) override { return (*encoder)(x); }  // (N, D) -> (N, Z)
  Variable decode(const Variable& z) override { return (*decoder)(z); }  // (N, Z) -> (N, D)
  // [/book:deep-forward]
  Objective objective(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  std::int64_t input_size() const override { return config_.sizes.front(); }
  std::int64_t code_size() const override { return config_.sizes.back(); }
  bool logistic_output() const override { return config_.output == nn::Activation::sigmoid; }
  Tensor first_layer_filters() const override;
  void pretrain(const Tensor& images, const PretrainOptions& options) override;
  // One layer: filters.png, the first layer's weights as images (a deep model's are not
  // what its code means).
  std::vector<std::string> draw_pictures(const Tensor& test_images, const std::string& dir,
                                         std::uint64_t seed) override;
  const DeepConfig& config() const { return config_; }

  // The pieces, for models built on this one (the VAE puts its Gaussian head on them):
  Variable features(const Variable& x);  // every encoder layer but the last: (N, sizes[L-1])
  Variable code_from_features(const Variable& h);  // the last encoder layer: (N, Z)
  Variable decode_logits(const Variable& z);       // the decoder before `output`: (N, D)

  std::shared_ptr<nn::Sequential> encoder, decoder;

 private:
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
