#pragma once
// A model kind from outside the library: the contractive autoencoder (Rifai et al. 2011,
// "Contractive Auto-Encoders: Explicit Invariance During Feature Extraction"), as a downstream
// project would add it. One sigmoid layer with tied weights and a penalty on the encoder's
// Jacobian, which makes the code insensitive to small changes of the input:
//
//   h = sigmoid(x W^T + b)                          (N, H)   W (H, D)
//   y = sigmoid(h W + c)                            (N, D)   the decoder uses W transposed
//   J(x) = dh/dx = diag(h (1 - h)) W                (H, D)   per image
//   ||J(x)||_F^2 = sum_j (h_j (1 - h_j))^2 sum_i W_ji^2
//   loss = BCE(y, x) summed over pixels + lambda ||J(x)||_F^2,   averaged over images
//
// The kind's name, "contractive-tied", has 16 characters: longer than any built-in one, so the
// command's help has to make room for it.
#include <autoencoders/model_kinds.hpp>
#include <nn/linear.hpp>

namespace downstream {

class ContractiveAutoencoder : public xtgrad::ae::Autoencoder {
 public:
  ContractiveAutoencoder(std::int64_t input, std::int64_t hidden, double lambda,
                         xtgrad::Generator& gen);

  xtgrad::Variable encode(const xtgrad::Variable& x) override;
  xtgrad::Variable decode(const xtgrad::Variable& z) override;
  Objective objective(const xtgrad::Variable& input, const xtgrad::Variable& target) override;
  std::string describe() const override;
  std::int64_t input_size() const override { return encoder->in_features; }
  std::int64_t code_size() const override { return encoder->out_features; }
  bool logistic_output() const override { return true; }
  xtgrad::Tensor first_layer_filters() const override { return encoder->weight.data(); }
  // The mean squared Frobenius norm of the Jacobian on x, next to the reconstruction errors.
  std::vector<std::pair<std::string, double>> report(const xtgrad::Tensor& x) override;

  // ||J(x)||_F^2 per image: (N,).
  xtgrad::Variable jacobian_norm(const xtgrad::Variable& h) const;

  std::shared_ptr<xtgrad::nn::Linear> encoder;  // x -> h; its weight, transposed, decodes
  xtgrad::Variable decoder_bias;                // c (D,)
  double lambda;
};

// The "contractive-tied" kind: its section is {"hidden": 64, "lambda": 0.1}.
xtgrad::ae::ModelKind contractive_kind();

}  // namespace downstream
