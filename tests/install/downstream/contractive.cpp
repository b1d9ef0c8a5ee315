#include "contractive.hpp"

#include <cmath>
#include <sstream>

#include <autograd/ops.hpp>
#include <nn/losses.hpp>
#include <tensor/all.hpp>

namespace downstream {

using namespace xtgrad;

ContractiveAutoencoder::ContractiveAutoencoder(std::int64_t input, std::int64_t hidden,
                                               double lambda_, Generator& gen)
    : encoder(register_module("encoder", std::make_shared<nn::Linear>(input, hidden, gen))),
      decoder_bias(register_parameter("decoder_bias", zeros({input}))),
      lambda(lambda_) {}

Variable ContractiveAutoencoder::encode(const Variable& x) { return sigmoid((*encoder)(x)); }

Variable ContractiveAutoencoder::decode(const Variable& z) {
  return sigmoid(matmul(z, encoder->weight) + decoder_bias);
}

Variable ContractiveAutoencoder::jacobian_norm(const Variable& h) const {
  const Variable slope = h * (1.0 - h);                          // dh_j / d(pre_j): (N, H)
  const Variable row_norms = sum(square(encoder->weight), {1});  // sum_i W_ji^2: (H,)
  return sum(square(slope) * row_norms, {1});                    // (N,)
}

ae::Autoencoder::Objective ContractiveAutoencoder::objective(const Variable& input,
                                                             const Variable& target) {
  const Variable h = encode(input);
  const Variable logits = matmul(h, encoder->weight) + decoder_bias;
  const double n = static_cast<double>(input.shape()[0]);
  const Variable reconstruction = nn::bce_with_logits_loss(logits, target, nn::Reduction::sum) / n;
  return {h, reconstruction + lambda * mean(jacobian_norm(h))};
}

std::string ContractiveAutoencoder::describe() const {
  std::ostringstream s;
  s << "Contractive(" << input_size() << "-" << code_size() << ", tied, lambda " << lambda << ")";
  return s.str();
}

std::vector<std::pair<std::string, double>> ContractiveAutoencoder::report(const Tensor& x) {
  const nn::EvalModeGuard eval(*this);
  NoGradGuard no_grad;
  return {{"jacobian_frobenius_squared", mean(jacobian_norm(encode(Variable(x)))).item()}};
}

namespace {

struct ContractiveConfig {
  std::int64_t hidden = 64;
  double lambda = 0.1;
};

}  // namespace

ae::ModelKind contractive_kind() {
  ae::ModelKind kind;
  kind.name = "contractive-tied";
  kind.adds = "a penalty on the encoder's Jacobian, tied weights (Rifai et al. 2011)";
  kind.fields = [](ae::ConfigFields& f, ae::RunConfig& c) {
    ContractiveConfig& k = c.options.get<ContractiveConfig>();
    f.field("hidden", k.hidden);
    f.field("lambda", k.lambda);
  };
  kind.check = [](const ae::RunConfig& c, const std::string& where) {
    const double lambda = c.options.get<ContractiveConfig>().lambda;
    if (!std::isfinite(lambda) || lambda < 0) {
      throw ValueError(where + ": contractive-tied.lambda must be a finite number >= 0");
    }
  };
  kind.widths = [](const ae::RunConfig& c) {
    return ae::KindWidths{{c.input_size, c.options.get<ContractiveConfig>().hidden},
                          "contractive-tied.hidden"};
  };
  kind.parameters = [](const ae::RunConfig& c) {
    const double d = static_cast<double>(c.input_size),
                 h = static_cast<double>(c.options.get<ContractiveConfig>().hidden);
    return d * h + h + d;  // W, b, c
  };
  kind.set_code = [](ae::RunConfig& c, std::int64_t code) {
    c.options.get<ContractiveConfig>().hidden = code;
  };
  kind.make_tiny = [](ae::RunConfig& c) { c.options.get<ContractiveConfig>().hidden = 3; };
  kind.build = [](const ae::RunConfig& c, Generator& gen) -> std::shared_ptr<ae::Autoencoder> {
    const ContractiveConfig k = c.options.get<ContractiveConfig>();
    return std::make_shared<ContractiveAutoencoder>(c.input_size, k.hidden, k.lambda, gen);
  };
  return kind;
}

}  // namespace downstream
