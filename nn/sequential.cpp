#include "nn/sequential.hpp"

namespace xtgrad::nn {

Sequential::Sequential(const std::vector<std::shared_ptr<Module>>& modules) {
  for (const auto& m : modules) add(m);
}

Sequential& Sequential::add(std::shared_ptr<Module> module) {
  layers_.push_back(register_module(std::to_string(layers_.size()), std::move(module)));
  return *this;
}

Variable Sequential::forward(const Variable& x) {
  Variable h = x;
  for (const auto& layer : layers_) h = (*layer)(h);
  return h;
}

}  // namespace xtgrad::nn
