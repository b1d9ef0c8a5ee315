#include "autoencoders/autoencoder.hpp"
#include "autoencoders/wrapped.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/activations.hpp"
#include "nn/init.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad::ae {

ReconstructionLoss parse_loss(const std::string& name) {
  if (name == "sse" || name == "mse") return ReconstructionLoss::sse;
  if (name == "half_sse") return ReconstructionLoss::half_sse;
  if (name == "bce" || name == "cross_entropy") return ReconstructionLoss::bce;
  throw ValueError("loss: unknown name " + quote(name) + " (sse, half_sse, bce)");
}

std::string loss_name(ReconstructionLoss loss) {
  switch (loss) {
    case ReconstructionLoss::sse:
      return "sse";
    case ReconstructionLoss::half_sse:
      return "half_sse";
    case ReconstructionLoss::bce:
      return "bce";
  }
  return "sse";
}

void check_loss_fits_output(ReconstructionLoss loss, nn::Activation output,
                            const std::string& where) {
  if (loss == ReconstructionLoss::bce && output != nn::Activation::sigmoid) {
    throw ValueError(where + ": the BCE loss needs a sigmoid output, not " +
                     nn::activation_name(output));
  }
}

Variable reconstruction_loss(const Variable& pre, const Variable& target, nn::Activation output,
                             ReconstructionLoss loss) {
  const double n = static_cast<double>(target.shape()[0]);
  check_loss_fits_output(loss, output, "reconstruction_loss");
  if (loss == ReconstructionLoss::bce) {
    return nn::bce_with_logits_loss(pre, target, nn::Reduction::sum) / n;  // stable from logits
  }
  const Variable y = (*nn::make_activation(output))(pre);
  const Variable sse = nn::mse_loss(y, target, nn::Reduction::sum) / n;
  return loss == ReconstructionLoss::half_sse ? 0.5 * sse : sse;
}

Init parse_init(const std::string& name) {
  if (name == "pytorch") return Init::pytorch;
  if (name == "glorot-uniform") return Init::glorot_uniform;
  if (name == "ufldl") return Init::ufldl;
  throw ValueError("init: unknown initialisation " + quote(name) +
                   " (pytorch, glorot-uniform, ufldl)");
}

std::string init_name(Init init) {
  switch (init) {
    case Init::pytorch:
      return "pytorch";
    case Init::glorot_uniform:
      return "glorot-uniform";
    case Init::ufldl:
      return "ufldl";
  }
  return "pytorch";
}

std::vector<std::string> init_names() {
  return {init_name(Init::pytorch), init_name(Init::glorot_uniform), init_name(Init::ufldl)};
}

void initialise(nn::Module& model, Init init, Generator& gen) {
  if (init == Init::pytorch) return;  // nn::Linear's constructor drew W and b by this rule
  if (auto* linear = dynamic_cast<nn::Linear*>(&model)) {
    if (init == Init::glorot_uniform) {
      nn::init::xavier_uniform_(linear->weight, gen);
    } else {
      nn::init::ufldl_uniform_(linear->weight, gen);
    }
    if (linear->bias.defined()) nn::init::zeros_(linear->bias);
  }
  for (const auto& [name, child] : model.children()) initialise(*child, init, gen);
}

Variable Autoencoder::loss(const nn::Batch& batch) {
  const Variable input(batch.input);
  return loss_for(input, batch.target.defined() ? Variable(batch.target) : input);
}

std::vector<std::pair<std::string, double>> Autoencoder::report(const Tensor&) { return {}; }

void Autoencoder::pretrain(const Tensor&, const PretrainOptions&) {
  throw ValueError("pretrain: " + describe() +
                   " has no stack of layers to pretrain one at a time (a deep model has)");
}

Tensor Autoencoder::sample(std::int64_t, Generator&) {
  throw ValueError("sample: " + describe() + " has no prior to draw codes from (a vae has)");
}

std::vector<std::string> Autoencoder::draw_pictures(const Tensor&, const std::string&,
                                                    std::uint64_t) {
  return {};
}

namespace {

// map_rows(x, batch_size, f) with the model in evaluation mode, its mode put back afterwards.
template <class F>
Tensor batched(Autoencoder& model, const Tensor& x, std::int64_t batch_size, F f) {
  const nn::EvalModeGuard eval_mode(model);
  return map_rows(x, batch_size, f);
}

}  // namespace

Tensor map_rows(const Tensor& x, std::int64_t batch_size,
                const std::function<Variable(const Variable&)>& f) {
  NoGradGuard no_grad;
  std::vector<Tensor> parts;
  for (std::int64_t begin = 0; begin < x.size(0); begin += batch_size) {
    parts.push_back(f(Variable(x.rows(begin, std::min(begin + batch_size, x.size(0))))).data());
  }
  return concatenate(parts, 0);
}

Tensor reconstruct(Autoencoder& model, const Tensor& x, std::int64_t batch_size) {
  return batched(model, x, batch_size,
                 [&](const Variable& b) { return model.decode(model.encode(b)); });
}

Tensor encode_all(Autoencoder& model, const Tensor& x, std::int64_t batch_size) {
  return batched(model, x, batch_size, [&](const Variable& b) { return model.encode(b); });
}

namespace {

// The errors of `model` on n images, batch_rows(begin, end) giving images [begin, end) as
// float32 (end - begin, D): sum_n ||y_n - x_n||^2 / N and sum_n BCE(y_n, x_n) / N, where each
// batch's sums are taken in float64 and added up.
template <class BatchRows>
ReconstructionError batched_error(Autoencoder& model, std::int64_t n, std::int64_t batch_size,
                                  BatchRows batch_rows, const std::atomic<bool>* stop = nullptr) {
  double sse = 0, bce = 0;
  for (std::int64_t begin = 0; begin < n; begin += batch_size) {
    if (stop != nullptr && stop->load()) throw Interrupted("reconstruction_error: interrupted");
    const Tensor x = batch_rows(begin, std::min(begin + batch_size, n));
    const Tensor y = reconstruct(model, x, batch_size).to(DType::float64);
    const Tensor x64 = x.to(DType::float64);
    sse += sum(square(y - x64)).item();
    if (model.logistic_output()) {
      NoGradGuard no_grad;
      bce += sum(binary_cross_entropy(Variable(y), Variable(x64))).item();
    }
  }
  ReconstructionError e;
  e.sse_per_image = sse / static_cast<double>(n);
  e.bce_per_image = model.logistic_output() ? bce / static_cast<double>(n)
                                            : std::numeric_limits<double>::quiet_NaN();
  return e;
}

}  // namespace

ReconstructionError reconstruction_error(Autoencoder& model, const Tensor& x,
                                         std::int64_t batch_size) {
  return batched_error(model, x.size(0), batch_size,
                       [&](std::int64_t begin, std::int64_t end) { return x.rows(begin, end); });
}

ReconstructionError reconstruction_error(Autoencoder& model, const data::ImageBytes& images,
                                         std::int64_t batch_size, const std::atomic<bool>* stop) {
  return batched_error(
      model, images.size(), batch_size,
      [&](std::int64_t begin, std::int64_t end) { return images.rows(begin, end).to_float(); },
      stop);
}

WrappedAutoencoder::WrappedAutoencoder(std::shared_ptr<Autoencoder> inner_)
    : inner(register_module("inner", std::move(inner_))) {
  if (!inner) throw ValueError("WrappedAutoencoder: no inner model to wrap");
}

}  // namespace xtgrad::ae
