// One experiment end to end (see experiment.hpp).
#include "autoencoders/experiment.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "data/fashion_mnist.hpp"
#include "data/pca.hpp"
#include "data/pictures.hpp"
#include "data/plots.hpp"
#include "autoencoders/image_dataset.hpp"
#include "autoencoders/run_folder.hpp"
#include "nn/all.hpp"
#include "tensor/memory/storage_pool.hpp"

namespace xtgrad::ae {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int kLbfgsIterationsPerEpoch = 20;      // one history line per 20 L-BFGS iterations
const std::string kConfigMember = "config.json";  // model.npz's copy of the run's configuration

void phase(const RunOptions& options, const std::string& name) {
  if (options.on_phase) options.on_phase(name);
}

// Throws Interrupted once a stop was requested (the caller says what was kept).
void check_stop(const RunOptions& options) {
  if (options.stop != nullptr && options.stop->load()) throw Interrupted("interrupted");
}

// `path` made absolute, "..", "." and symbolic links resolved as far as it exists: one data
// folder has one spelling.
std::string resolved_path(const std::string& path) {
  std::error_code error;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(path, error), error);
  return error ? path : absolute.string();
}

// The arguments a run needs besides its config, recorded beside the checkpoint for --resume.
const std::string kRunArguments = "checkpoint-run.json";

json run_arguments(const std::string& data_dir, const RunOptions& options) {
  json j;
  j["data_dir"] = resolved_path(data_dir);
  j["checkpoint_every"] = options.checkpoint_every;
  j["stop_on_divergence"] = options.divergence.stop;
  return j;
}

// Pictures of what the model does; each is optional where it makes no sense for the model.
// Each name goes into the folder's manifest before it is drawn; a stop request is honoured
// between pictures.
std::vector<std::string> draw_pictures(Autoencoder& model, const RunConfig& config,
                                       const data::ImageSet& test, RunFolder& folder,
                                       const RunOptions& options, std::ostream& out) {
  const std::string& dir = folder.path();
  std::vector<std::string> written;
  auto next = [&](const std::string& name) {
    check_stop(options);
    folder.will_write(name);
    return dir + "/" + name;
  };
  const Tensor originals = test.images.rows(0, 10);
  data::save_image_grid(next("reconstructions.png"),
                        concatenate({originals, reconstruct(model, originals)}), 28, 28, 10, 3);
  written.push_back(dir + "/reconstructions.png");
  if (data::gnuplot_available()) {
    data::plot_loss_curves(dir + "/history.csv", next("loss.png"),
                           config.name + ": loss per image");
    written.push_back(dir + "/loss.png");
    if (model.code_size() == 2) {
      const Tensor some = test.images.rows(0, 5000);
      std::vector<std::string> names(data::fashion_mnist_classes.begin(),
                                     data::fashion_mnist_classes.end());
      data::plot_latent_scatter(next("latent.png"), encode_all(model, some),
                                test.labels.rows(0, 5000), names,
                                config.name + ": 2-d codes of test images");
      written.push_back(dir + "/latent.png");
    }
  } else {
    out << "note: gnuplot is not installed, so loss.png and latent.png were not drawn\n";
  }
  check_stop(options);
  const std::uint64_t seed = config.train.seed + kPicturesSeedOffset;
  for (const std::string& path : model.draw_pictures(test.images, dir, seed)) {
    folder.will_write(fs::path(path).filename().string());  // filters, samples, denoising
    written.push_back(path);
  }
  return written;
}

std::string number(double x) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(3) << x;
  return s.str();
}

// ---------------------------------------------------------------- one run, step by step

// What the steps of a run share: its settings, its output folder, and where it prints.
struct Run {
  Run(const RunConfig& config_, const RunOptions& options_)
      : config(config_),
        options(options_),
        out(options_.out != nullptr ? *options_.out : std::cout),
        dir(options_.out_dir.empty() ? "runs/" + config_.name : options_.out_dir),
        data_dir(options_.data_dir.empty() ? data::default_fashion_mnist_dir() : options_.data_dir),
        folder(dir,
               options_.resume    ? RunFolder::Mode::resume
               : options_.replace ? RunFolder::Mode::replace
                                  : RunFolder::Mode::fresh,
               data_dir) {}

  std::string checkpoint() const { return dir + "/checkpoint.npz"; }
  std::string checkpoint_config() const { return dir + "/checkpoint-config.json"; }

  const RunConfig& config;
  const RunOptions& options;
  std::ostream& out;
  const std::string dir;       // the output folder
  const std::string data_dir;  // the Fashion-MNIST folder
  RunFolder folder;            // locked and checked by the constructor; nothing is removed yet
};

// The images stay bytes (47 MB for the training set, not 188 MB of float32): every batch,
// evaluation block and PCA block converts its own rows (data/image_bytes.hpp). The training
// images (their labels are not needed) are freed once PCA has been fitted to them.
struct RunData {
  data::ImageBytes train_all;              // the training split, with the validation images
  std::optional<ImageDataset> train, val;  // views of train_all: the split copies nothing
  std::int64_t n_train = 0;
  data::ByteImageSet test;
};

RunData load_data(const Run& run) {
  const TrainConfig& t = run.config.train;
  RunData data;
  data.train_all = data::load_fashion_mnist_bytes(data::Split::train, run.data_dir, t.limit).images;
  data.test = data::load_fashion_mnist_bytes(data::Split::test, run.data_dir);
  const std::int64_t n = data.train_all.size();
  const std::int64_t n_val = std::min(t.validation, n / 5);
  data.n_train = n - n_val;
  data.train.emplace(data.train_all.rows(0, data.n_train));
  if (n_val > 0) data.val.emplace(data.train_all.rows(data.n_train, n));
  run.out << "Fashion-MNIST from " << run.data_dir << ": " << data.n_train << " training, " << n_val
          << " validation and " << data.test.images.size() << " test images\n";
  return data;
}

// Greedy layer-wise pretraining (deep models with train.pretrain_epochs), before any file is
// written.
void pretrain(const Run& run, Autoencoder& model, const RunData& data) {
  PretrainOptions p;
  p.epochs = run.config.train.pretrain_epochs;
  p.batch_size = run.config.train.batch_size;
  p.lr = run.config.train.lr;
  p.seed = run.config.train.seed;
  p.out = &run.out;
  p.stop = run.options.stop;
  try {
    phase(run.options, "pretraining");
    model.pretrain(data.train->images().to_float(), p);  // on a float copy while it lasts
  } catch (const Interrupted&) {
    throw Interrupted("interrupted while pretraining, before any file was written: " + run.dir +
                      " is as it was; run the same command again to start over");
  }
}

// The configured model, its layers drawn from train.seed, and pretrained if the config says so
// (not on --resume: the checkpoint holds the weights).
std::shared_ptr<Autoencoder> build_model(const Run& run, const RunData& data) {
  const RunConfig& config = run.config;
  Generator gen(config.train.seed);
  std::shared_ptr<Autoencoder> model = make_model(config, gen);
  run.out << config.name << ": " << model->describe() << ", init " << init_name(config.init) << "\n"
          << model->summary({model->input_size()}, config.train.batch_size) << "\n";
  if (config.train.pretrain_epochs > 0 && !run.options.resume) pretrain(run, *model, data);
  return model;
}

nn::FitOptions fit_options(const Run& run, std::int64_t n_train) {
  const TrainConfig& t = run.config.train;
  const bool full_batch = t.optimizer == "lbfgs";
  nn::FitOptions f;
  f.epochs = full_batch
                 ? (t.lbfgs_iterations + kLbfgsIterationsPerEpoch - 1) / kLbfgsIterationsPerEpoch
                 : t.epochs;
  f.batch_size = full_batch ? n_train : t.batch_size;
  f.seed = t.seed;
  f.history_csv = run.dir + "/history.csv";
  f.out = &run.out;
  f.checkpoint_path = run.checkpoint();
  f.checkpoint_every = run.options.checkpoint_every;
  f.checkpoint_seconds = run.options.checkpoint_every > 0 ? 0 : kCheckpointSeconds;
  f.stop = run.options.stop;
  f.stop_after_steps = run.options.stop_after_steps;
  f.divergence = run.options.divergence;
  if (run.options.resume) f.resume_from = run.checkpoint();
  return f;
}

// Every input is checked (config, data, model): only now is an earlier run's folder emptied
// (--force), and the first file written. Beside each checkpoint: the config and arguments
// --resume goes on with.
void start_writing(Run& run) {
  run.folder.clear_earlier_run();
  for (const char* name :
       {"checkpoint-config.json", "checkpoint-run.json", "checkpoint.npz", "history.csv"}) {
    run.folder.will_write(name);
  }
  if (!run.options.resume) {
    write_file_atomically(run.checkpoint_config(), config_to_json(run.config) + "\n",
                          run.checkpoint_config());
    write_file_atomically(run.dir + "/" + kRunArguments,
                          run_arguments(run.data_dir, run.options).dump(2) + "\n", kRunArguments);
  }
}

nn::FitResult train(Run& run, Autoencoder& model, const RunData& data) {
  std::unique_ptr<nn::Optimizer> optimizer = make_optimizer(run.config.train, model.parameters());
  const nn::FitOptions options = fit_options(run, data.n_train);
  start_writing(run);
  nn::FitResult fit;
  try {
    phase(run.options, "training");
    const nn::BatchLoss loss = [&](nn::Module&, const nn::Batch& b) { return model.loss(b); };
    fit = nn::fit(model, loss, *optimizer, *data.train, data.val ? &*data.val : nullptr, options);
  } catch (const nn::TrainingInterrupted& e) {
    throw nn::TrainingInterrupted(std::string(e.what()) + ": xtgrad train --resume " +
                                  shell_word(run.dir));
  }
  // Training is over: the optimizer's state (Adam: 2 numbers per parameter) and the gradients
  // (1 per parameter) are freed before evaluation and PCA, which need neither (33 MB for hinton).
  optimizer.reset();
  model.zero_grad();
  // The storage pool kept the freed buffers of the training steps for reuse (up to 256 MiB):
  // evaluation and PCA use other sizes, so they go back to the system now.
  storage_pool::release_cache();
  return fit;
}

// Saved as soon as training ends, so that nothing that fails later (evaluation, PCA,
// pictures) loses the weights; then the checkpoint, which has done its work, goes.
void save_run(Run& run, const Autoencoder& model) {
  run.folder.will_write("model.npz");
  run.folder.will_write("config.json");
  save_trained(run.dir + "/model.npz", model, run.config);
  write_file_atomically(run.dir + "/config.json", config_to_json(run.config) + "\n", "config.json");
  std::error_code ignored;
  fs::remove(run.checkpoint(), ignored);
  fs::remove(run.checkpoint_config(), ignored);
  fs::remove(run.dir + "/" + kRunArguments, ignored);
  if (run.options.on_saved) run.options.on_saved(run.dir);
}

// The trained model next to PCA with as many components as it has code units.
struct Evaluation {
  ReconstructionError error{};
  double pca_sse = 0;
  double pca_seconds = 0;
  data::ImageSet
      test_float;  // the test images as one float32 tensor (31 MB), for report and pictures
  std::vector<std::pair<std::string, double>> report;  // the model's own numbers (vae: its ELBO...)
};

// Frees the training images once PCA has been fitted to them.
Evaluation evaluate(const Run& run, Autoencoder& model, RunData& data) {
  Evaluation e;
  phase(run.options, "evaluation");
  check_stop(run.options);
  e.error = reconstruction_error(model, data.test.images, kErrorBatchRows, run.options.stop);
  phase(run.options, "pca");
  const auto pca_start = std::chrono::steady_clock::now();
  const data::PCA pca = data::PCA::fit(data.train_all, run.options.stop);
  data.train.reset();  // the last views of the training images: their 47 MB go now
  data.val.reset();
  data.train_all = data::ImageBytes();
  e.pca_sse = pca.sse_per_image(data.test.images, model.code_size());
  e.pca_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - pca_start).count();
  check_stop(run.options);
  e.test_float = data::ImageSet{data.test.images.to_float(), data.test.labels};
  e.report = model.report(e.test_float.images);
  return e;
}

// results.json, written last: a folder without it is an unfinished run.
void write_results(Run& run, Autoencoder& model, const nn::FitResult& fit, std::int64_t n_train,
                   const Evaluation& e, const std::vector<std::string>& pictures) {
  // Training throughput: every epoch sees all training images; its training time (without
  // validation) is that count over the epoch's samples_per_second.
  double samples = 0, training_seconds = 0;
  for (const auto& epoch : fit.history) {
    samples += static_cast<double>(n_train);
    if (epoch.samples_per_second > 0) {
      training_seconds += static_cast<double>(n_train) / epoch.samples_per_second;
    }
  }
  json results;
  results["model"] = run.config.model;
  results["config"] = json::parse(config_to_json(run.config));
  results["epochs"] = fit.history.size();
  results["train_seconds"] = fit.train_seconds;
  results["samples_per_second"] = training_seconds > 0 ? samples / training_seconds : 0.0;
  results["test_sse_per_image"] = e.error.sse_per_image;
  if (model.logistic_output()) results["test_bce_per_image"] = e.error.bce_per_image;
  results["pca_sse_per_image"] = e.pca_sse;
  results["pca_components"] = model.code_size();
  results["pca_seconds"] = e.pca_seconds;
  for (const auto& [key, value] : e.report) results[key] = value;
  results["pictures"] = pictures;
  run.folder.will_write("results.json");
  write_file_atomically(run.dir + "/results.json", results.dump(2) + "\n", "results.json");
}

void print_results(const Run& run, Autoencoder& model, const Evaluation& e) {
  std::ostream& out = run.out;
  out << "\ntest reconstruction error per image (squared error summed over 784 pixels)\n"
      << "  " << std::left << std::setw(44) << model.describe() << number(e.error.sse_per_image)
      << "\n"
      << "  " << std::setw(44) << ("PCA, " + std::to_string(model.code_size()) + " components")
      << number(e.pca_sse) << "\n";
  if (model.logistic_output()) {
    out << "  (model's binary cross-entropy per image: " << number(e.error.bce_per_image) << ")\n";
  }
  for (const auto& [key, value] : e.report) out << "  " << key << ": " << number(value) << "\n";
  out << "\nresults, model and pictures are in " << run.dir << "/\n";
}

// From here on, a stop request ends the run within a second: the model is kept, and no
// results.json is written.
RunSummary evaluate_and_report(Run& run, Autoencoder& model, const nn::FitResult& fit,
                               RunData& data) {
  try {
    const Evaluation e = evaluate(run, model, data);
    RunSummary summary{run.dir, e.error.sse_per_image, e.pca_sse, {}};
    phase(run.options, "pictures");
    summary.pictures =
        draw_pictures(model, run.config, e.test_float, run.folder, run.options, run.out);
    check_stop(run.options);
    write_results(run, model, fit, data.n_train, e, summary.pictures);
    print_results(run, model, e);
    return summary;
  } catch (const Interrupted&) {
    throw Interrupted("interrupted after training: model.npz and config.json are saved in " +
                      run.dir + " (no results.json); xtgrad eval --model-file " +
                      shell_word(run.dir + "/model.npz") + " evaluates it");
  }
}

}  // namespace

std::unique_ptr<nn::Optimizer> make_optimizer(const TrainConfig& t,
                                              const std::vector<Variable>& parameters) {
  if (t.optimizer == "sgd")
    return std::make_unique<nn::SGD>(parameters, nn::SGDOptions{t.lr, t.momentum});
  if (t.optimizer == "lbfgs") {
    nn::LBFGSOptions o;
    o.lr = t.lr;
    o.max_iter = kLbfgsIterationsPerEpoch;
    o.max_eval = kLbfgsIterationsPerEpoch * 5 / 4;
    return std::make_unique<nn::LBFGS>(parameters, o);
  }
  return std::make_unique<nn::Adam>(parameters, t.lr);
}

RunSummary train_and_evaluate(const RunConfig& config, const RunOptions& options) {
  check_config(config, "train");  // before anything is loaded or trained
  Run run(config, options);       // the output folder is checked and locked; nothing is removed yet
  RunData data = load_data(run);
  const std::shared_ptr<Autoencoder> model = build_model(run, data);
  const nn::FitResult fit = train(run, *model, data);  // the first step that writes into the folder
  save_run(run, *model);
  return evaluate_and_report(run, *model, fit, data);
}

RunSummary resume_run(const std::string& dir, RunOptions options) {
  const std::string checkpoint = dir + "/checkpoint.npz",
                    checkpoint_config = dir + "/checkpoint-config.json";
  if (!fs::exists(checkpoint) || !fs::exists(checkpoint_config)) {
    throw FileError("resume " + dir +
                    ": no checkpoint.npz and checkpoint-config.json there (a finished run " +
                    "removes them; a run stopped before its first checkpoint has none)");
  }
  // The run's own arguments: one not given now is taken from the record, one given differently
  // is refused (the run would go on with other data, and end with another result).
  const std::string recorded = dir + "/" + kRunArguments;
  if (fs::exists(recorded)) {
    std::error_code error;
    if (fs::file_size(recorded, error) > (1 << 16))
      throw FileError("resume " + dir + ": " + recorded + " is too large");
    std::ifstream in(recorded);
    json j;
    try {
      j = json::parse(in);
      const std::string data_dir = j.at("data_dir").get<std::string>();
      if (options.data_dir.empty()) {
        options.data_dir = data_dir;
      } else if (resolved_path(options.data_dir) != data_dir) {
        throw ValueError("resume " + dir + ": the run was started with --data-dir " + data_dir +
                         ", not " + options.data_dir +
                         "; leave --data-dir out to go on with its own");
      }
      const int every = j.at("checkpoint_every").get<int>();
      if (options.checkpoint_every == 0) {
        options.checkpoint_every = every;
      } else if (options.checkpoint_every != every) {
        throw ValueError("resume " + dir + ": the run was started with --checkpoint-every " +
                         (every == 0 ? std::string("left to its default") : std::to_string(every)) +
                         ", not " + std::to_string(options.checkpoint_every) +
                         "; leave it out to go on with the run's own");
      }
      // --stop-on-divergence can only be added: a flag cannot say "not given".
      options.divergence.stop = options.divergence.stop || j.at("stop_on_divergence").get<bool>();
    } catch (const json::exception& e) {
      throw FileError("resume " + dir + ": " + recorded + " is damaged (" + e.what() + ")");
    }
  }
  options.out_dir = dir;
  options.resume = true;
  return train_and_evaluate(load_config(checkpoint_config), options);
}

std::string shell_word(const std::string& path) {
  const bool plain = !path.empty() && path.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-./+,:=@%") == std::string::npos;
  if (plain) return path;
  std::string quoted = "'";
  for (char c : path) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

void save_trained(const std::string& model_file, const Autoencoder& model,
                  const RunConfig& config) {
  nn::save_npz(model_file, model.state_dict(), {{kConfigMember, config_to_json(config) + "\n"}});
}

TrainedModel load_trained(const std::string& model_file) {
  if (!fs::exists(model_file)) throw FileError("model file " + model_file + ": no such file");
  const std::optional<std::string> text = nn::load_npz_raw_member(model_file, kConfigMember);
  if (!text) {
    throw FileError("model file " + model_file + ": holds no " + kConfigMember +
                    " member, so the model it was trained as is unknown (written by an older "
                    "xtgrad? train it again)");
  }
  TrainedModel t;
  t.config = parse_config(*text, "model file " + model_file + ", " + kConfigMember);
  Generator gen(0);
  t.model = make_model(t.config, gen);
  try {  // the arrays must be exactly the model's, checked before any is inflated
    t.model->load_state_dict(
        nn::load_npz(model_file, nn::NpzExpectation{t.model->state_dict(), {}, {}}));
  } catch (const ShapeError& e) {
    throw ShapeError("model file " + model_file + ": " + e.what());
  } catch (const ValueError& e) {  // a missing or unknown array: not the model its config describes
    // Before the deep model was two nn::Sequential stacks, its layers were named encoder0,
    // decoder0, ... (now encoder.0, decoder.0, ...): such a file is recognised and said to be old.
    const std::string message = e.what();
    const bool old_names = message.find("unexpected keys: encoder0.") != std::string::npos ||
                           message.find(", encoder0.") != std::string::npos;
    throw FileError(
        "model file " + model_file + ": " + message +
        (old_names ? " (written by an older xtgrad, whose deep models named their layers encoder0, "
                     "decoder0, ...; train the model again)"
                   : ""));
  }
  // A model with NaN or Inf weights gives NaN errors and black pictures: refuse it here.
  for (const auto& [name, parameter] : t.model->named_parameters()) {
    // NOTE: max keeps NaN and |x| maps -Inf to Inf, so max|x| is finite exactly when every element is.
    const double largest = max(abs(parameter.data())).item();
    if (!std::isfinite(largest)) {
      throw ValueError("model file " + model_file + ": the parameter " + name + " holds " +
                       (std::isnan(largest) ? "NaN" : "Inf") +
                       " values; this model cannot be used");
    }
  }
  return t;
}

void evaluate_trained(const std::string& model_file, const std::string& data_dir,
                      std::ostream& out) {
  TrainedModel t = load_trained(model_file);
  const data::ByteImageSet test = data::load_fashion_mnist_bytes(
      data::Split::test, data_dir.empty() ? data::default_fashion_mnist_dir() : data_dir);
  const ReconstructionError error = reconstruction_error(*t.model, test.images);
  out << t.config.name << ": " << t.model->describe() << " on " << test.images.size()
      << " test images\n"
      << "  test_sse_per_image " << number(error.sse_per_image) << "\n";
  if (t.model->logistic_output())
    out << "  test_bce_per_image " << number(error.bce_per_image) << "\n";
  for (const auto& [key, value] : t.model->report(test.images.to_float()))
    out << "  " << key << " " << number(value) << "\n";
}

void print_pca_table(const std::vector<std::int64_t>& components, const std::string& data_dir,
                     std::int64_t limit, std::ostream& out) {
  for (std::int64_t k : components) {  // before the fit, which takes seconds
    if (k < 0 || k > data::fashion_mnist_pixels) {
      throw ValueError("PCA components: " + std::to_string(k) + " is not a number from 0 to the " +
                       std::to_string(data::fashion_mnist_pixels) + " pixels of an image");
    }
  }
  const std::string dir = data_dir.empty() ? data::default_fashion_mnist_dir() : data_dir;
  const data::ByteImageSet train = data::load_fashion_mnist_bytes(data::Split::train, dir, limit);
  const data::ByteImageSet test = data::load_fashion_mnist_bytes(data::Split::test, dir);
  const data::PCA pca = data::PCA::fit(train.images);
  out << "PCA fitted on " << train.images.size()
      << " training images; test squared error per image\n"
      << "components  sse_per_image\n";
  for (std::int64_t k : components) {
    out << std::setw(10) << k << "  " << number(pca.sse_per_image(test.images, k)) << "\n";
  }
}

}  // namespace xtgrad::ae
