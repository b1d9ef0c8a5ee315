#pragma once
// Dropout (inverted): in training, each element is zeroed with probability p and the others
// are scaled by 1 / (1 - p), so that the expected output equals the input; in evaluation it
// is the identity. The mask comes from the layer's own seeded generator (registered, so
// gradient checks can replay it).
#include "nn/module.hpp"

namespace xtgrad::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, std::uint64_t seed = 0);
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  double p;

 private:
  Generator gen_;
};

}  // namespace xtgrad::nn
