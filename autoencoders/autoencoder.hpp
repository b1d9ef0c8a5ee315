#pragma once
// Autoencoder: the interface shared by the models of this folder (model_kinds.hpp lists them).
//
// Legend used in every model file: N batch, D input features (784 pixels), H hidden units,
// Z code units. An autoencoder maps x (N, D) to a code z = encode(x) (N, Z) and back to a
// reconstruction decode(z) (N, D). Errors are per image: summed over the D pixels and
// averaged over the N images (the unit of Hinton & Salakhutdinov 2006, and of PCA's table).
#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "data/image_bytes.hpp"
#include "nn/activations.hpp"
#include "nn/data.hpp"
#include "nn/module.hpp"

namespace xtgrad::ae {

// How a reconstruction is scored, per image: squared error ||y - x||^2, half of it (UFLDL's
// J = 1/2 ||y - x||^2, whose gradient is y - x), or binary cross-entropy (pixels as
// probabilities; needs a logistic output).
enum class ReconstructionLoss { sse, half_sse, bce };
ReconstructionLoss parse_loss(const std::string& name);  // "sse", "half_sse" or "bce"
std::string loss_name(ReconstructionLoss loss);

// The per-image loss of a decoder whose output is output_activation(pre), against target.
// With a sigmoid output and BCE it works on the logits `pre` (stable for any value).
Variable reconstruction_loss(const Variable& pre, const Variable& target, nn::Activation output,
                             ReconstructionLoss loss);
// The one rule between the two: binary cross-entropy compares probabilities, so it needs a
// sigmoid output. ValueError "<where>: the BCE loss needs a sigmoid output, not relu" otherwise.
void check_loss_fits_output(ReconstructionLoss loss, nn::Activation output,
                            const std::string& where);

// How the Linear layers of a model start; fan_in = in, fan_out = out for a weight (out, in).
//   pytorch         W, b ~ U(-k, k), k = 1 / sqrt(fan_in)                  PyTorch's nn.Linear
//   glorot-uniform  W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)); b = 0    Keras's Dense
//   ufldl           W ~ U(-r, r), r = sqrt(6) / sqrt(fan_in + fan_out + 1); b = 0
//                                                             UFLDL's sparse autoencoder exercise
// (Glorot & Bengio 2010 derive a from keeping the variance of activations and gradients equal
// across layers: Var W = 2 / (fan_in + fan_out). PyTorch's rule is Kaiming-uniform with
// a = sqrt(5): Var W = 1 / (3 fan_in), for 784 -> 32 about a sixth of Glorot's.)
enum class Init { pytorch, glorot_uniform, ufldl };
Init parse_init(const std::string& name);  // "pytorch", "glorot-uniform", "ufldl"
std::string init_name(Init init);
std::vector<std::string> init_names();  // every accepted name, in the order above

// Draws the weights and biases of every nn::Linear in `model` (children included, in
// registration order) by `init`, from gen. Call it on a model just built: nn::Linear's
// constructor has already drawn PyTorch's rule, which Init::pytorch keeps as it is.
void initialise(nn::Module& model, Init init, Generator& gen);

// Greedy layer-wise pretraining (deep.hpp).
struct PretrainOptions {
  int epochs = 3;  // per layer
  std::int64_t batch_size = 128;
  double lr = 1e-3;  // Adam
  std::uint64_t seed = 0;
  std::ostream* out = nullptr;              // progress (nullptr: std::cout)
  const std::atomic<bool>* stop = nullptr;  // see nn::FitOptions::stop (nothing is saved)
};

class Autoencoder : public nn::Module {
 public:
  virtual Variable encode(const Variable& x) = 0;  // (N, D) -> (N, Z)
  virtual Variable decode(const Variable& z) = 0;  // (N, Z) -> (N, D)
  Variable forward(const Variable& x) override { return decode(encode(x)); }

  // One training pass when the model is shown `input` and should give back `target`: the code
  // it made (N, Z) and the objective per image (the reconstruction loss plus the model's
  // penalties). A model that wraps another adds to the inner one's code and loss.
  struct Objective {
    Variable code;
    Variable loss;
  };
  virtual Objective objective(const Variable& input, const Variable& target) = 0;
  Variable loss_for(const Variable& input, const Variable& target) {
    return objective(input, target).loss;
  }
  // loss_for(batch.input, batch.target), the target defaulting to the input.
  Variable loss(const nn::Batch& batch);

  virtual std::int64_t input_size() const = 0;
  virtual std::int64_t code_size() const = 0;
  // True when decode() gives probabilities in (0, 1): then BCE per image is reported too.
  virtual bool logistic_output() const = 0;
  // Model-specific numbers for results.json, computed on x (N, D) in evaluation mode.
  virtual std::vector<std::pair<std::string, double>> report(const Tensor& x);
  // The first layer's weights, one row per unit: (units, D), each row viewable as a 28 x 28
  // image of what the unit responds to (filters.png draws them for basic and sparse). Every
  // model here overrides it; this default, an undefined Tensor, is for a model without one.
  virtual Tensor first_layer_filters() const { return Tensor(); }

  // What only some models do. The defaults refuse with a ValueError naming the model.
  // Greedy layer-wise pretraining on images (N, D), before training the whole (deep.hpp).
  virtual void pretrain(const Tensor& images, const PretrainOptions& options);
  // count images decoded from codes z ~ N(0, I) drawn from gen: (count, D) (variational.hpp).
  virtual Tensor sample(std::int64_t count, Generator& gen);
  // The pictures this kind of model adds to reconstructions and loss curves (filters, samples,
  // denoised images), drawn from test images (N, D) into dir; returns the files written.
  // The default draws none.
  virtual std::vector<std::string> draw_pictures(const Tensor& test_images, const std::string& dir,
                                                 std::uint64_t seed);
};

// Rows per batch when a model runs without gradients (reconstruct, encode_all, the models'
// reports): a (1000, 784) float32 batch is 3 MB, so memory stays a few MB per activation
// whatever N is, while each layer is still one large matrix product.
constexpr std::int64_t kEvalBatchRows = 1000;
// reconstruction_error's batches are smaller: the float64 temporaries of its cross-entropy
// take about 6 MB per 1000 rows each, more than the training itself needs.
constexpr std::int64_t kErrorBatchRows = 100;

// Reconstruction errors of `model` on x (N, D), per image, in evaluation mode without
// gradients, batch by batch (each batch's errors summed in float64). bce_per_image is NaN
// unless the output is logistic.
struct ReconstructionError {
  double sse_per_image;
  double bce_per_image;
};
ReconstructionError reconstruction_error(Autoencoder& model, const Tensor& x,
                                         std::int64_t batch_size = kErrorBatchRows);
// The same on images kept as bytes, converted to pixel values one batch at a time. When
// `stop` is raised (by a signal handler) it ends after the batch under way with Interrupted.
ReconstructionError reconstruction_error(Autoencoder& model, const data::ImageBytes& images,
                                         std::int64_t batch_size = kErrorBatchRows,
                                         const std::atomic<bool>* stop = nullptr);

// f applied to x (N, ...) batch_size rows at a time, without gradients; the results stacked.
Tensor map_rows(const Tensor& x, std::int64_t batch_size,
                const std::function<Variable(const Variable&)>& f);
// decode(encode(x)) in evaluation mode without gradients, batch by batch: (N, D).
Tensor reconstruct(Autoencoder& model, const Tensor& x, std::int64_t batch_size = kEvalBatchRows);
// encode(x) likewise: (N, Z).
Tensor encode_all(Autoencoder& model, const Tensor& x, std::int64_t batch_size = kEvalBatchRows);

}  // namespace xtgrad::ae
