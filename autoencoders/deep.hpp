#pragma once
// The deep autoencoder: a stack of layers down to the code and its mirror image back up.
//
//   sizes {784, 1000, 500, 250, 30}:  784 -> 1000 -> 500 -> 250 -> 30 -> 250 -> 500 -> 1000 -> 784
//
// Hidden layers use `hidden`, the code layer `code`, the last layer `output`. Hinton &
// Salakhutdinov (2006, Science 313:504) used logistic hidden units, a linear code, a logistic
// output and cross-entropy (DeepConfig::hinton()). They pretrained the stack greedily, one
// layer at a time, before fine-tuning it as a whole: pretrain_greedy() does that with shallow
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
  static DeepConfig hinton();  // 784-1000-500-250-30, logistic, linear code, BCE
};

class DeepAutoencoder : public Autoencoder {
 public:
  DeepAutoencoder(const DeepConfig& config, Generator& gen);

  Variable encode(const Variable& x) override;
  Variable decode(const Variable& z) override;
  Variable loss_for(const Variable& input, const Variable& target) override;
  std::string describe() const override;
  std::int64_t input_size() const override { return config_.sizes.front(); }
  std::int64_t code_size() const override { return config_.sizes.back(); }
  bool logistic_output() const override { return config_.output == Activation::sigmoid; }
  Tensor first_layer_filters() const override { return encoders.front()->weight.data(); }
  const DeepConfig& config() const { return config_; }

  std::vector<std::shared_ptr<nn::Linear>> encoders;  // encoders[i]: sizes[i] -> sizes[i+1]
  std::vector<std::shared_ptr<nn::Linear>> decoders;  // decoders[i]: sizes[i+1] -> sizes[i]

 private:
  Variable decode_pre(const Variable& z);
  DeepConfig config_;
};

struct PretrainOptions {
  int epochs = 3;               // per layer
  std::int64_t batch_size = 128;
  double lr = 1e-3;             // Adam
  std::uint64_t seed = 0;
  std::ostream* out = nullptr;  // progress (nullptr: std::cout)
};

// Greedy layer-wise pretraining: layer pair i (encoders[i], decoders[i]) is trained as a
// shallow autoencoder on the codes that layers 0..i-1 give for `images` (N, D); the first pair
// with the model's own loss on pixels, the inner ones with squared error on the codes.
// Afterwards the stack is "unrolled": fine-tune the whole model as usual.
void pretrain_greedy(DeepAutoencoder& model, const Tensor& images, const PretrainOptions& options);

}  // namespace xtgrad::ae
