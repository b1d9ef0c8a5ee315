#pragma once
// One experiment, end to end: train a configured autoencoder on Fashion-MNIST, evaluate it on
// the test images next to PCA with the same code size (fitted in the same run), and write
// everything into one folder:
//
//   results.json      the numbers (see README), config.json (the resolved configuration),
//   history.csv       one line per epoch, model.npz (numpy.load reads it; it holds its
//                     config.json too),
//   reconstructions.png, loss.png, and per model latent.png (2-unit codes), filters.png
//   (basic, sparse), samples.png and interpolation.png (vae), denoising.png (denoising).
#include <atomic>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "autoencoders/config.hpp"
#include "nn/fit.hpp"

namespace xtgrad::ae {

constexpr double kCheckpointSeconds = 60;

struct RunOptions {
  std::string data_dir;         // empty: data::default_fashion_mnist_dir()
  std::string out_dir;          // empty: runs/<config name>
  bool replace = false;         // remove an earlier run's files in out_dir (see run_folder.hpp)
  std::ostream* out = nullptr;  // progress and tables (nullptr: std::cout)
  // Called once model.npz and config.json are saved, before evaluation, PCA and pictures
  // (tests use it to make what follows training fail).
  std::function<void(const std::string& dir)> on_saved;
  // Called as each phase after loading starts: "pretraining", "training", "evaluation", "pca",
  // "pictures" (tests send a signal there).
  std::function<void(const std::string& phase)> on_phase;
  // Checkpoints go to <out>/checkpoint.npz (with checkpoint-config.json beside it), and are
  // removed once model.npz is saved. checkpoint_every 0: at the end of any epoch that ends 60 s
  // (kCheckpointSeconds) or more after the start or the last checkpoint: runs under a minute
  // write none.
  int checkpoint_every = 0;
  const std::atomic<bool>* stop = nullptr;  // see nn::FitOptions::stop
  std::int64_t stop_after_steps = 0;        // tests: see nn::FitOptions::stop_after_steps
  bool resume = false;                      // go on from <out>/checkpoint.npz (see resume_run)
  nn::Divergence divergence;                // what a diverging or stalled training does
};

struct RunSummary {
  std::string out_dir;
  double test_sse_per_image = 0;
  double pca_sse_per_image = 0;
  std::vector<std::string> pictures;  // paths written
};

// The optimizer train.optimizer names, with train.lr (and train.momentum for sgd); lbfgs
// makes 20 iterations per step, one history line.
std::unique_ptr<nn::Optimizer> make_optimizer(const TrainConfig& train,
                                              const std::vector<Variable>& parameters);

// check_config(config) comes first, so a bad setting fails before anything is loaded or trained.
RunSummary train_and_evaluate(const RunConfig& config, const RunOptions& options = {});
// Interrupted or crashed while training: goes on from dir/checkpoint.npz with the run's own
// config, and ends as the uninterrupted run would have, bit for bit (same threads). The run's
// arguments are recorded beside the checkpoint (checkpoint-run.json: the data folder, the
// checkpoint interval, what divergence does); one that `options` leaves empty (0, default) is
// taken from there, and one it gives differently is refused with ValueError naming both.
RunSummary resume_run(const std::string& dir, RunOptions options = {});

// `path` as one word of a shell command: as it is when it holds only safe characters, else in
// single quotes ("runs/my run" -> 'runs/my run'), so that a printed command can be pasted.
std::string shell_word(const std::string& path);

// A trained model as model.npz: its state dict, and its configuration as a raw member
// "config.json" (numpy.load(f)["config.json"] is its text), so the weights always travel with
// the configuration they were trained as.
void save_trained(const std::string& model_file, const Autoencoder& model, const RunConfig& config);

// A model saved by save_trained, rebuilt from the configuration inside model.npz (never from
// a config.json beside it, which another run may have written).
struct TrainedModel {
  RunConfig config;
  std::shared_ptr<Autoencoder> model;
};
TrainedModel load_trained(const std::string& model_file);

// Evaluates a trained model on the test images and prints its errors (and report).
void evaluate_trained(const std::string& model_file, const std::string& data_dir,
                      std::ostream& out);

// The PCA table: test SSE per image for each k, fitted on the training images. Every k is
// checked (0 to 784) before the data is loaded.
void print_pca_table(const std::vector<std::int64_t>& components, const std::string& data_dir,
                     std::int64_t limit, std::ostream& out);

}  // namespace xtgrad::ae
