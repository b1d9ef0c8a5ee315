#pragma once
// Sequential: modules applied one after the other; children are named "0", "1", ...
// as in PyTorch, so their parameters are "0.weight", "0.bias", "2.weight", ...
//
//   auto encoder = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
//       std::make_shared<nn::Linear>(784, 32, gen), std::make_shared<nn::ReLU>()});
#include <vector>

#include "nn/module.hpp"

namespace xtgrad::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& modules);

  // Appends a module (named by its position).
  Sequential& add(std::shared_ptr<Module> module);
  std::size_t size() const { return layers_.size(); }
  const std::shared_ptr<Module>& operator[](std::size_t i) const { return layers_.at(i); }

  Variable forward(const Variable& x) override;
  std::string describe() const override { return "Sequential"; }

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

}  // namespace xtgrad::nn
