// Chapter 10: the sparse autoencoder of UFLDL (Ng, "Sparse autoencoder", CS294A lecture notes,
// 2011; the UFLDL tutorial's exercise), on Fashion-MNIST.
//
// The ladder's third rung: chapter 08's Autoencoder with a sigmoid code, plus a penalty on that
// code. Legend: N batch, D = 784, H = 196 hidden units.
//
//   a       = sigmoid(x W1^T + b1)                  (N, H)   the code, each unit in (0, 1)
//   x_hat   = sigmoid(a W2^T + b2)                  (N, D)
//   rho_hat = (1/N) sum_n a_n                       (H,)     each unit's mean activation
//   J = (1/N) sum_n 1/2 ||x_hat_n - x_n||^2                  UFLDL's squared error
//     + lambda/2 (sum W1^2 + sum W2^2)                       weight decay
//     + beta sum_j KL(rho || rho_hat_j)                      the sparsity penalty
//   KL(rho || r) = rho log(rho / r) + (1 - rho) log((1 - rho) / (1 - r))
//
// UFLDL: rho = 0.1 (MNIST exercise), lambda = 3e-3, beta = 3, weights U(-r, r) with
// r = sqrt(6 / (D + H + 1)), biases 0, full-batch L-BFGS. Here: Adam (lr 1e-2) on mini-batches
// of 256, so rho_hat is estimated on each batch rather than on the whole training set.
// The program trains beta = 3 with rho = 0.05, 0.1 and 0.2, and beta = 0 (no penalty), and
// measures each unit's mean activation on test images against rho.
// Full mode: the first 10000 training images, 10 epochs per model, the first 2000 test images.
//
//   ch10_sparse [--short] [--out DIR] [--data-dir DIR]
#include <cstdio>

#include "08-deep-autoencoders/chapter_options.hpp"
#include "08-deep-autoencoders/ladder_helpers.hpp"
#include "autoencoders/deep.hpp"
#include "autoencoders/sparse.hpp"
#include "data/pictures.hpp"

using namespace xtgrad;

namespace {

const char* kUsage =
    "usage: ch10_sparse [--short] [--out DIR] [--data-dir DIR]\n"
    "  UFLDL's sparse autoencoder 784-196 with the KL sparsity penalty, for several rho\n";

constexpr double kLambda = 3e-3, kBeta = 3.0;
// NOTE: Adam's usual 1e-3 is too slow here: after 10 passes the filters still look like their
// random start (UFLDL's L-BFGS takes 400 full-batch steps). 1e-2 trains this small model well.
constexpr double kLearningRate = 1e-2;

// [book:sparse]
// Chapter 08's autoencoder with one layer of `hidden` sigmoid units and a sigmoid output,
// scored by UFLDL's halved squared error, wrapped in the KL penalty on its code and weight
// decay; its weights start as UFLDL's do (ae::Init::ufldl: U(-r, r), biases 0).
std::shared_ptr<ae::SparseAutoencoder> make_sparse(std::int64_t hidden, double rho, double beta,
                                                   Generator& gen) {
  ae::DeepConfig layer;
  layer.sizes = {784, hidden};
  layer.code = nn::Activation::sigmoid;
  layer.output = nn::Activation::sigmoid;
  layer.loss = ae::ReconstructionLoss::half_sse;  // J's 1/2 ||x_hat - x||^2
  auto inner = std::make_shared<ae::DeepAutoencoder>(layer, gen);
  ae::initialise(*inner, ae::Init::ufldl, gen);
  ae::CodePenalty penalty;
  penalty.kind = ae::SparsityPenalty::kl;
  penalty.weight = beta;
  penalty.rho = rho;
  penalty.weight_decay = kLambda;
  return std::make_shared<ae::SparseAutoencoder>(inner, penalty);
}
// [/book:sparse]

}  // namespace

int main(int argc, char** argv) {
  const ladder::ChapterOptions opt = ladder::parse_options(argc, argv, {}, kUsage);
  const std::int64_t train_n = opt.short_mode ? 1000 : 10000, test_n = opt.short_mode ? 500 : 2000;
  const int epochs = opt.short_mode ? 1 : 10;
  const ladder::Images data = ladder::load_images(opt, train_n, test_n, "ch10_sparse");
  const Tensor& x = data.train.images;
  const Tensor& test = data.test.images;
  std::printf("training images %lld, %d epochs, Adam lr %g batch 256; test images %lld\n",
              (long long)x.size(0), epochs, kLearningRate, (long long)test.size(0));
  std::printf("lambda %.4f; rho_hat_j is each unit's mean activation over the test images\n\n",
              kLambda);
  std::printf("%-16s %9s %12s %12s %12s %12s\n", "model", "test SSE", "mean rho_hat", "min rho_hat",
              "max rho_hat", "units > 0.5");

  struct Run {
    const char* key;
    double rho, beta;
  };
  for (const Run& r : {Run{"rho005", 0.05, kBeta}, Run{"rho01", 0.1, kBeta},
                       Run{"rho02", 0.2, kBeta}, Run{"no_penalty", 0.1, 0.0}}) {
    // [book:measure]
    Generator gen(0);
    const auto sparse = make_sparse(196, r.rho, r.beta, gen);
    ae::SparseAutoencoder& model = *sparse;
    ladder::train(model, ladder::own_loss(model), x, epochs, 1, kLearningRate, 256);
    const Tensor a =
        ladder::map_rows(model, test, [&](const Variable& v) { return model.encode(v); });
    const Tensor rho_hat = mean(a.to(DType::float64), {0});         // (H,)
    const double busy = mean((a > 0.5).to(DType::float64)).item();  // per image and unit
    // [/book:measure]
    const double sse = ladder::reconstruction_sse(model, test);
    std::printf("%-16s %9.3f %12.4f %12.4f %12.4f %12.4f\n", r.key, sse, mean(rho_hat).item(),
                min(rho_hat).item(), max(rho_hat).item(), busy);
    std::printf("result %s_test_sse %.3f\n", r.key, sse);
    std::printf("result %s_mean_rho_hat %.4f\n", r.key, mean(rho_hat).item());
    std::printf("result %s_min_rho_hat %.4f\n", r.key, min(rho_hat).item());
    std::printf("result %s_max_rho_hat %.4f\n", r.key, max(rho_hat).item());
    std::printf("result %s_busy %.4f\n", r.key, busy);
    if (std::string(r.key) == "rho01" || std::string(r.key) == "no_penalty") {
      // The first 100 of the 196 weight vectors of W1 (196, 784) as 28 x 28 pictures, as UFLDL
      // shows them (all 196 make a PNG of over 150 kB).
      const Tensor w1 = model.first_layer_filters().rows(0, 100);
      const std::string png = opt.out + "/ch10_filters_" + r.key + ".png";
      data::save_filter_grid(png, w1, 28, 28, 10, 1);
      std::printf("wrote ch10_filters_%s.png (in --out)\n", r.key);
    }
  }
  return 0;
}
