#pragma once
// Linear: y = x W^T + b, the fully connected layer.
//
// Shapes: x (N, in), W (out, in), b (out,), y (N, out). W is stored as (out, in), PyTorch's
// layout, so that state dicts move between the two unchanged; the transpose is a BLAS flag.
// Default initialisation is PyTorch's: W and b uniform in [-1/sqrt(in), 1/sqrt(in)].
#include "nn/module.hpp"

namespace xtgrad::nn {

class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, Generator& gen, bool bias = true,
         DType dtype = DType::float32);

  Variable forward(const Variable& x) override;
  std::string describe() const override;

  std::int64_t in_features, out_features;
  Variable weight;  // (out, in)
  Variable bias;    // (out,), undefined without bias
};

}  // namespace xtgrad::nn
