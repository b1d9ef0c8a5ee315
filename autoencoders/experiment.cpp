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

constexpr int kLbfgsIterationsPerEpoch = 20;  // one history line per 20 L-BFGS iterations
const std::string kConfigMember = "config.json";  // model.npz's copy of the run's configuration

std::unique_ptr<nn::Optimizer> make_optimizer(const TrainConfig& t, const std::vector<Variable>& parameters) {
  if (t.optimizer == "sgd") return std::make_unique<nn::SGD>(parameters, nn::SGDOptions{t.lr, 0.9});
  if (t.optimizer == "lbfgs") {
    nn::LBFGSOptions o;
    o.lr = t.lr;
    o.max_iter = kLbfgsIterationsPerEpoch;
    o.max_eval = kLbfgsIterationsPerEpoch * 5 / 4;
    return std::make_unique<nn::LBFGS>(parameters, o);
  }
  return std::make_unique<nn::Adam>(parameters, t.lr);
}

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
std::vector<std::string> draw_pictures(Autoencoder& model, const RunConfig& config, const data::ImageSet& test,
                                       RunFolder& folder, const RunOptions& options, std::ostream& out) {
  const std::string& dir = folder.path();
  std::vector<std::string> written;
  auto next = [&](const std::string& name) {
    check_stop(options);
    folder.will_write(name);
    return dir + "/" + name;
  };
  const Tensor originals = test.images.rows(0, 10);
  data::save_image_grid(next("reconstructions.png"), concatenate({originals, reconstruct(model, originals)}), 28, 28,
                        10, 3);
  written.push_back(dir + "/reconstructions.png");
  if (data::gnuplot_available()) {
    data::plot_loss_curves(dir + "/history.csv", next("loss.png"), config.name + ": loss per image");
    written.push_back(dir + "/loss.png");
    if (model.code_size() == 2) {
      const Tensor some = test.images.rows(0, 5000);
      std::vector<std::string> names(data::fashion_mnist_classes.begin(), data::fashion_mnist_classes.end());
      data::plot_latent_scatter(next("latent.png"), encode_all(model, some), test.labels.rows(0, 5000), names,
                                config.name + ": 2-d codes of test images");
      written.push_back(dir + "/latent.png");
    }
  } else {
    out << "note: gnuplot is not installed, so loss.png and latent.png were not drawn\n";
  }
  check_stop(options);
  for (const std::string& path : model.draw_pictures(test.images, dir, config.train.seed + 3)) {
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

}  // namespace

RunSummary train_and_evaluate(const RunConfig& config, const RunOptions& options) {
  check_config(config, "train");  // before anything is loaded or trained
  std::ostream& out = options.out != nullptr ? *options.out : std::cout;
  const std::string dir = options.out_dir.empty() ? "runs/" + config.name : options.out_dir;
  const std::string data_dir = options.data_dir.empty() ? data::default_fashion_mnist_dir() : options.data_dir;
  using Mode = RunFolder::Mode;
  RunFolder folder(dir, options.resume ? Mode::resume : options.replace ? Mode::replace : Mode::fresh, data_dir);
  const std::string checkpoint = dir + "/checkpoint.npz", checkpoint_config = dir + "/checkpoint-config.json";
  Generator gen(config.train.seed);

  // The images stay bytes (47 MB for the training set, not 188 MB of float32): every batch,
  // evaluation block and PCA block converts its own rows (data/image_bytes.hpp). The training
  // images (their labels are not needed) are freed once PCA has been fitted to them.
  data::ImageBytes train_all = data::load_fashion_mnist_bytes(data::Split::train, data_dir, config.train.limit).images;
  const data::ByteImageSet test = data::load_fashion_mnist_bytes(data::Split::test, data_dir);
  const std::int64_t n = train_all.size();
  const std::int64_t n_val = std::min(config.train.validation, n / 5);
  const std::int64_t n_train = n - n_val;
  std::optional<ImageDataset> train_data, val_data;  // views of train_all: the split copies nothing
  train_data.emplace(train_all.rows(0, n_train));
  if (n_val > 0) val_data.emplace(train_all.rows(n_train, n));
  out << "Fashion-MNIST from " << data_dir << ": " << n_train << " training, " << n_val
      << " validation and " << test.images.size() << " test images\n";

  std::shared_ptr<Autoencoder> model = make_model(config, gen);
  out << config.name << ": " << model->describe() << ", init " << init_name(config.init) << "\n"
      << model->summary({model->input_size()}, config.train.batch_size) << "\n";
  if (config.train.pretrain_epochs > 0 && !options.resume) {
    PretrainOptions p;
    p.epochs = config.train.pretrain_epochs;
    p.batch_size = config.train.batch_size;
    p.lr = config.train.lr;
    p.seed = config.train.seed;
    p.out = &out;
    p.stop = options.stop;
    try {
      phase(options, "pretraining");
      model->pretrain(train_data->images().to_float(), p);  // layer by layer, on a float copy while it lasts
    } catch (const Interrupted&) {
      throw Interrupted("interrupted while pretraining, before any file was written: " + dir +
                        " is as it was; run the same command again to start over");
    }
  }

  std::unique_ptr<nn::Optimizer> optimizer = make_optimizer(config.train, model->parameters());
  const bool full_batch = config.train.optimizer == "lbfgs";
  nn::FitOptions fit_options;
  fit_options.epochs = full_batch ? (config.train.lbfgs_iterations + kLbfgsIterationsPerEpoch - 1) / kLbfgsIterationsPerEpoch
                                  : config.train.epochs;
  fit_options.batch_size = full_batch ? n_train : config.train.batch_size;
  fit_options.seed = config.train.seed;
  fit_options.history_csv = dir + "/history.csv";
  fit_options.out = &out;
  fit_options.checkpoint_path = checkpoint;
  fit_options.checkpoint_every = options.checkpoint_every;
  fit_options.checkpoint_seconds = options.checkpoint_every > 0 ? 0 : kCheckpointSeconds;
  fit_options.stop = options.stop;
  fit_options.stop_after_steps = options.stop_after_steps;
  fit_options.divergence = options.divergence;
  if (options.resume) fit_options.resume_from = checkpoint;
  // Every input is checked (config, data, model): only now is an earlier run's folder emptied
  // (--force), and the first file written. Beside each checkpoint: the config and arguments
  // --resume goes on with.
  folder.clear_earlier_run();
  for (const char* name : {"checkpoint-config.json", "checkpoint-run.json", "checkpoint.npz", "history.csv"}) {
    folder.will_write(name);
  }
  if (!options.resume) {
    write_file_atomically(checkpoint_config, config_to_json(config) + "\n", checkpoint_config);
    write_file_atomically(dir + "/" + kRunArguments, run_arguments(data_dir, options).dump(2) + "\n", kRunArguments);
  }
  nn::FitResult fit;
  try {
    phase(options, "training");
    fit = nn::fit(*model, [&](nn::Module&, const nn::Batch& b) { return model->loss(b); }, *optimizer, *train_data,
                  val_data ? &*val_data : nullptr, fit_options);
  } catch (const nn::TrainingInterrupted& e) {
    throw nn::TrainingInterrupted(std::string(e.what()) + ": xtgrad train --resume " + shell_word(dir));
  }
  // Training is over: the optimizer's state (Adam: 2 numbers per parameter) and the gradients
  // (1 per parameter) are freed before evaluation and PCA, which need neither (33 MB for hinton).
  optimizer.reset();
  model->zero_grad();
  // The storage pool kept the freed buffers of the training steps for reuse (up to 256 MiB):
  // evaluation and PCA use other sizes, so they go back to the system now.
  storage_pool::release_cache();
  // Saved at once, so that nothing that fails later (evaluation, PCA, pictures) loses the weights.
  folder.will_write("model.npz");
  folder.will_write("config.json");
  save_trained(dir + "/model.npz", *model, config);
  write_file_atomically(dir + "/config.json", config_to_json(config) + "\n", "config.json");
  std::error_code ignored;  // the model is safe: the checkpoint has done its work
  fs::remove(checkpoint, ignored);
  fs::remove(checkpoint_config, ignored);
  fs::remove(dir + "/" + kRunArguments, ignored);
  if (options.on_saved) options.on_saved(dir);

  // From here on, a stop request ends the run within a second: the model is kept, and no
  // results.json is written (a folder without it is an unfinished run).
  const std::string kept = "model.npz and config.json are saved in " + dir + " (no results.json); xtgrad eval --model-file " +
                           shell_word(dir + "/model.npz") + " evaluates it";
  try {
    phase(options, "evaluation");
    check_stop(options);
    const ReconstructionError error = reconstruction_error(*model, test.images, 100, options.stop);
    phase(options, "pca");
    const auto pca_start = std::chrono::steady_clock::now();
    const data::PCA pca = data::PCA::fit(train_all, options.stop);
    train_data.reset();  // the last views of the training images: their 47 MB go now
    val_data.reset();
    train_all = data::ImageBytes();
    const double pca_sse = pca.sse_per_image(test.images, model->code_size());
    const double pca_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - pca_start).count();
    check_stop(options);
    // The models' reports and pictures take the test images as one float32 tensor (31 MB).
    const data::ImageSet test_float{test.images.to_float(), test.labels};
    const auto report = model->report(test_float.images);

    RunSummary summary{dir, error.sse_per_image, pca_sse, {}};
    phase(options, "pictures");
    summary.pictures = draw_pictures(*model, config, test_float, folder, options, out);
    check_stop(options);

    // Training throughput: every epoch sees all training images; its training time (without
    // validation) is that count over the epoch's samples_per_second.
    double samples = 0, training_seconds = 0;
    for (const auto& e : fit.history) {
      samples += static_cast<double>(n_train);
      if (e.samples_per_second > 0) training_seconds += static_cast<double>(n_train) / e.samples_per_second;
    }
    json results;
    results["model"] = config.model;
    results["config"] = json::parse(config_to_json(config));
    results["epochs"] = fit.history.size();
    results["train_seconds"] = fit.train_seconds;
    results["samples_per_second"] = training_seconds > 0 ? samples / training_seconds : 0.0;
    results["test_sse_per_image"] = error.sse_per_image;
    if (model->logistic_output()) results["test_bce_per_image"] = error.bce_per_image;
    results["pca_sse_per_image"] = pca_sse;
    results["pca_components"] = model->code_size();
    results["pca_seconds"] = pca_seconds;
    for (const auto& [key, value] : report) results[key] = value;
    results["pictures"] = summary.pictures;
    folder.will_write("results.json");
    write_file_atomically(dir + "/results.json", results.dump(2) + "\n", "results.json");

    out << "\ntest reconstruction error per image (squared error summed over 784 pixels)\n"
        << "  " << std::left << std::setw(44) << model->describe() << number(error.sse_per_image) << "\n"
        << "  " << std::setw(44) << ("PCA, " + std::to_string(model->code_size()) + " components") << number(pca_sse) << "\n";
    if (model->logistic_output()) out << "  (model's binary cross-entropy per image: " << number(error.bce_per_image) << ")\n";
    for (const auto& [key, value] : report) out << "  " << key << ": " << number(value) << "\n";
    out << "\nresults, model and pictures are in " << dir << "/\n";
    return summary;
  } catch (const Interrupted&) {
    throw Interrupted("interrupted after training: " + kept);
  }
}

RunSummary resume_run(const std::string& dir, RunOptions options) {
  const std::string checkpoint = dir + "/checkpoint.npz", checkpoint_config = dir + "/checkpoint-config.json";
  if (!fs::exists(checkpoint) || !fs::exists(checkpoint_config)) {
    throw FileError("resume " + dir + ": no checkpoint.npz and checkpoint-config.json there (a finished run " +
                    "removes them; a run stopped before its first checkpoint has none)");
  }
  // The run's own arguments: one not given now is taken from the record, one given differently
  // is refused (the run would go on with other data, and end with another result).
  const std::string recorded = dir + "/" + kRunArguments;
  if (fs::exists(recorded)) {
    std::error_code error;
    if (fs::file_size(recorded, error) > (1 << 16)) throw FileError("resume " + dir + ": " + recorded + " is too large");
    std::ifstream in(recorded);
    json j;
    try {
      j = json::parse(in);
      const std::string data_dir = j.at("data_dir").get<std::string>();
      if (options.data_dir.empty()) {
        options.data_dir = data_dir;
      } else if (resolved_path(options.data_dir) != data_dir) {
        throw ValueError("resume " + dir + ": the run was started with --data-dir " + data_dir + ", not " +
                         options.data_dir + "; leave --data-dir out to go on with its own");
      }
      const int every = j.at("checkpoint_every").get<int>();
      if (options.checkpoint_every == 0) {
        options.checkpoint_every = every;
      } else if (options.checkpoint_every != every) {
        throw ValueError("resume " + dir + ": the run was started with --checkpoint-every " +
                         (every == 0 ? std::string("left to its default") : std::to_string(every)) + ", not " +
                         std::to_string(options.checkpoint_every) + "; leave it out to go on with the run's own");
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
  const bool plain = !path.empty() && path.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                             "0123456789_-./+,:=@%") == std::string::npos;
  if (plain) return path;
  std::string quoted = "'";
  for (char c : path) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

void save_trained(const std::string& model_file, const Autoencoder& model, const RunConfig& config) {
  nn::save_npz(model_file, model.state_dict(), {{kConfigMember, config_to_json(config) + "\n"}});
}

TrainedModel load_trained(const std::string& model_file) {
  if (!fs::exists(model_file)) throw FileError("model file " + model_file + ": no such file");
  const std::optional<std::string> text = nn::load_npz_raw_member(model_file, kConfigMember);
  if (!text) {
    throw FileError("model file " + model_file + ": holds no " + kConfigMember +
                    " member, so the model it was trained as is unknown (written by an older xtgrad? train it again)");
  }
  TrainedModel t;
  t.config = parse_config(*text, "model file " + model_file + ", " + kConfigMember);
  Generator gen(0);
  t.model = make_model(t.config, gen);
  try {  // the arrays must be exactly the model's, checked before any is inflated
    t.model->load_state_dict(nn::load_npz(model_file, nn::NpzExpectation{t.model->state_dict(), {}, {}}));
  } catch (const ShapeError& e) {
    throw ShapeError("model file " + model_file + ": " + e.what());
  } catch (const ValueError& e) {  // a missing or unknown array: not the model its config describes
    throw FileError("model file " + model_file + ": " + e.what());
  }
  // A model with NaN or Inf weights gives NaN errors and black pictures: refuse it here.
  for (const auto& [name, parameter] : t.model->named_parameters()) {
    // NOTE: max keeps NaN and |x| maps -Inf to Inf, so max|x| is finite exactly when every element is.
    const double largest = max(abs(parameter.data())).item();
    if (!std::isfinite(largest)) {
      throw ValueError("model file " + model_file + ": the parameter " + name + " holds " +
                       (std::isnan(largest) ? "NaN" : "Inf") + " values; this model cannot be used");
    }
  }
  return t;
}

void evaluate_trained(const std::string& model_file, const std::string& data_dir, std::ostream& out) {
  TrainedModel t = load_trained(model_file);
  const data::ByteImageSet test = data::load_fashion_mnist_bytes(data::Split::test, data_dir.empty() ? data::default_fashion_mnist_dir() : data_dir);
  const ReconstructionError error = reconstruction_error(*t.model, test.images);
  out << t.config.name << ": " << t.model->describe() << " on " << test.images.size() << " test images\n"
      << "  test_sse_per_image " << number(error.sse_per_image) << "\n";
  if (t.model->logistic_output()) out << "  test_bce_per_image " << number(error.bce_per_image) << "\n";
  for (const auto& [key, value] : t.model->report(test.images.to_float())) out << "  " << key << " " << number(value) << "\n";
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
  out << "PCA fitted on " << train.images.size() << " training images; test squared error per image\n"
      << "components  sse_per_image\n";
  for (std::int64_t k : components) {
    out << std::setw(10) << k << "  " << number(pca.sse_per_image(test.images, k)) << "\n";
  }
}

}  // namespace xtgrad::ae
