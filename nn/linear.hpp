#pragma once
// Linear: y = x W^T + b, the fully connected layer.
//
// Shapes: x (N, in), W (out, in), b (out,), y (N, out). W is stored as (out, in), PyTorch's
// layout, so that state dicts move between the two unchanged; the transpose is a BLAS flag.
// Default initialisation is PyTorch's: W and b uniform in [-1/sqrt(in), 1/sqrt(in)].
#include <memory>

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

// TiedLinear: y = x W + c, a layer that maps back the way a Linear came ("tied weights": a
// decoder layer that reuses its encoder layer's weight, transposed, with a bias of its own).
//
// Shapes: W is the tied Linear's weight (out, in), x (N, out), c (in,), y (N, in). The layer
// owns only c (starting at 0): W stays the Linear's parameter, so register the Linear in the
// same model (an encoder) and W is trained by both uses, its gradients adding up.
class TiedLinear : public Module {
 public:
  explicit TiedLinear(std::shared_ptr<Linear> tied_to);

  Variable forward(const Variable& x) override;
  std::string describe() const override;

  std::shared_ptr<Linear> tied_to;  // not a child: its weight is registered where the Linear is
  Variable bias;                    // (in,)
};

}  // namespace xtgrad::nn
