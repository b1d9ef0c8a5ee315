#pragma once
// A model around another one: the rungs of the ladder that add one thing to any model (sparse
// adds a penalty on its code, denoising a corruption of its input). Everything the wrapper does
// not change is the inner model's, forwarded here once: encode, decode, the sizes, the filters,
// pretraining, sampling, the numbers it reports and the pictures it draws.
#include <memory>

#include "autoencoders/autoencoder.hpp"

namespace xtgrad::ae {

class WrappedAutoencoder : public Autoencoder {
 public:
  // ValueError when inner is null.
  explicit WrappedAutoencoder(std::shared_ptr<Autoencoder> inner);

  Variable encode(const Variable& x) override { return inner->encode(x); }
  Variable decode(const Variable& z) override { return inner->decode(z); }
  Objective objective(const Variable& input, const Variable& target) override {
    return inner->objective(input, target);
  }
  std::int64_t input_size() const override { return inner->input_size(); }
  std::int64_t code_size() const override { return inner->code_size(); }
  bool logistic_output() const override { return inner->logistic_output(); }
  Tensor first_layer_filters() const override { return inner->first_layer_filters(); }
  std::vector<std::pair<std::string, double>> report(const Tensor& x) override {
    return inner->report(x);
  }
  void pretrain(const Tensor& images, const PretrainOptions& options) override {
    inner->pretrain(images, options);
  }
  Tensor sample(std::int64_t count, Generator& gen) override { return inner->sample(count, gen); }
  std::vector<std::string> draw_pictures(const Tensor& test_images, const std::string& dir,
                                         std::uint64_t seed) override {
    return inner->draw_pictures(test_images, dir, seed);
  }

  std::shared_ptr<Autoencoder> inner;  // registered as the module "inner"
};

}  // namespace xtgrad::ae
