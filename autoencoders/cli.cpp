// The xtgrad command: train, evaluate, sample and inspect the autoencoders (cli.hpp).
//
//   xtgrad train --config keras-basic            # a named protocol (autoencoders/configs/)
//   xtgrad train --model vae --epochs 5 --out runs/vae
//   xtgrad train --resume runs/vae                # after Ctrl-C (exit 130) or a crash
//   xtgrad train --model vae --detect-anomaly      # names the op that first makes a NaN or Inf
//   xtgrad pca --components 2,10,30,32
//   xtgrad eval --model-file runs/vae/model.npz
//   xtgrad sample --model-file runs/vae/model.npz --count 64 --out samples.png
//   xtgrad gradcheck --model sparse
//   xtgrad summary --model deep
//   xtgrad --version
//
// Every argument is checked before any work starts. Every error is one line on stderr and a
// non-zero exit: 2 for a bad command line, 130 when a run was interrupted (SIGINT, SIGTERM or
// SIGHUP: in training the step under way finishes and a checkpoint is written; in pretraining,
// evaluation, PCA and pictures the run stops within a second, keeping what it saved), 1
// otherwise.
#include <atomic>
#include <csignal>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "autoencoders/cli.hpp"
#include "autoencoders/config.hpp"
#include "autoencoders/experiment.hpp"
#include "data/fashion_mnist.hpp"
#include "autoencoders/model_gradcheck.hpp"
#include "autoencoders/model_kinds.hpp"
#include "data/pictures.hpp"
#include "nn/all.hpp"
#include "tensor/cpu.hpp"

namespace xtgrad::cli {

namespace {

// Raised by the first SIGINT, SIGTERM or SIGHUP; fit() then finishes its step and checkpoints,
// and the phases after training stop at their next block. The handler puts the default back,
// so a second signal ends the process at once.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");
extern "C" void on_stop_signal(int signal) {
  stop_requested = true;
  std::signal(signal, SIG_DFL);
}

// A check that an option's number lies in `range`; the range appears in --help and, in the
// words a config file's error uses (config.hpp), in the error: "--lr: 0 is not in (0, 1000]".
CLI::Validator interval(const ae::Range& range) {
  return CLI::Validator(
      [=](std::string& value) -> std::string {
        std::istringstream in(value);
        double x = 0;
        if (!(in >> x) || !(in >> std::ws).eof()) return "\"" + value + "\" is not a number";
        if (!std::isfinite(x))
          return value + " is not a finite number";  // NaN fails every comparison
        return range.contains(x) ? "" : range.not_in(value);
      },
      "in " + range.text());
}

// Seeds are whole numbers from 0 to 2^64 - 1; a minus sign would wrap around to a huge seed.
const CLI::Validator seed_check(
    [](std::string& value) -> std::string {
      if (value.find('-') != std::string::npos) {
        return value + " is negative; a seed is a whole number from 0 to 18446744073709551615";
      }
      return "";
    },
    "from 0 to 2^64 - 1");

struct TrainArgs {
  std::string model, config, init, out, data_dir, resume;
  int epochs = 0, checkpoint_every = 0;
  std::int64_t batch_size = 0, latent = 0, limit = 0;
  double lr = 0;
  std::uint64_t seed = 0;
  bool seed_given = false, force = false, detect_anomaly = false, stop_on_divergence = false;
};

// The configuration train will run, every argument applied (train_and_evaluate checks it
// before it loads anything).
ae::RunConfig train_config(const TrainArgs& a) {
  ae::RunConfig c;
  if (!a.config.empty()) {
    c = ae::load_config(a.config);
    if (!a.model.empty() && a.model != c.model) {
      throw ValueError("--model " + a.model + " conflicts with --config " + a.config + " (a " +
                       c.model + " model)");
    }
  } else {
    c = ae::default_config(a.model.empty() ? "basic" : a.model);
  }
  if (a.epochs > 0) c.train.epochs = a.epochs;
  if (a.batch_size > 0) c.train.batch_size = a.batch_size;
  if (a.lr > 0) c.train.lr = a.lr;
  if (a.latent > 0) ae::set_code_size(c, a.latent);
  if (a.limit > 0) c.train.limit = a.limit;
  if (a.seed_given) c.train.seed = a.seed;
  if (!a.init.empty()) c.init = ae::parse_init(a.init);
  return c;
}

int sample(const std::string& model_file, std::int64_t count, const std::string& out,
           std::uint64_t seed) {
  ae::TrainedModel t = ae::load_trained(model_file);
  Generator gen(seed);
  Tensor images;
  try {
    images = t.model->sample(count, gen);
  } catch (const ValueError& e) {
    throw ValueError("sample: " + model_file + " holds a " + t.config.model +
                     " model, which cannot sample (" + e.what() + ")");
  }
  const std::int64_t columns = std::min<std::int64_t>(count, 10);
  data::save_image_grid(out, images, 28, 28, columns, 3);
  std::cout << "wrote " << count << " samples to " << out << "\n";
  return 0;
}

int gradcheck_model(const std::string& model, int steps, std::uint64_t seed) {
  const ae::ModelGradcheck check = ae::gradcheck_tiny_model(model, steps, seed);
  std::cout << check.description << " with " << check.parameter_count
            << " parameters, float64, after " << steps
            << " Adam steps, every parameter's gradient non-zero: " << check.report.summary()
            << "\n";
  return check.report.passed ? 0 : 1;
}

int summary(const std::string& model, const std::string& config, std::int64_t batch_size) {
  ae::RunConfig c = config.empty() ? ae::default_config(model.empty() ? "basic" : model)
                                   : ae::load_config(config);
  Generator gen(c.train.seed);
  std::shared_ptr<ae::Autoencoder> m = ae::make_model(c, gen);
  std::cout << c.name << ": " << m->describe() << "\n"
            << m->summary({m->input_size()}, batch_size > 0 ? batch_size : c.train.batch_size);
  return 0;
}

// "2,10,30" -> {2, 10, 30}.
std::vector<std::int64_t> parse_components(const std::string& list) {
  std::vector<std::int64_t> ks;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    std::size_t used = 0;
    try {
      ks.push_back(std::stoll(item, &used));
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size())
      throw ValueError("--components: \"" + item + "\" is not a whole number");
  }
  return ks;
}

std::string version() {
  return std::string("xtgrad ") + XTGRAD_VERSION + "\ncompiled for " + compiled_cpu_level() +
         "; this CPU runs " + host_cpu_level();
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"xtgrad: autoencoders on Fashion-MNIST, next to PCA"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version(), "print the version and the CPU levels, and exit");
  const auto models = CLI::IsMember(ae::model_names());
  std::string model_list;  // "basic, deep, ... or vae": every kind of the table
  for (const std::string& name : ae::model_names()) {
    model_list += (model_list.empty()                 ? ""
                   : name == ae::model_names().back() ? " or "
                                                      : ", ") +
                  name;
  }
  // Each kind, what it adds and its defaults, from the kind itself (a kind registered by a
  // downstream project too).
  std::string ladder =
      "Models, each the one before plus one thing, and their defaults (a config's sections "
      "change them):\n";
  std::size_t name_width = 0;
  for (const ae::ModelKind& kind : ae::model_kinds())
    name_width = std::max(name_width, kind.name.size());
  const std::string indent(name_width + 4, ' ');
  for (const ae::ModelKind& kind : ae::model_kinds()) {
    ladder +=
        "  " + kind.name + std::string(name_width + 2 - kind.name.size(), ' ') + kind.adds + "\n";
    const std::string defaults = ae::describe_defaults(kind.name);  // "vae: ...; train: ..."
    for (std::size_t at = 0; at < defaults.size();) {               // one part per line
      const std::size_t end = std::min(defaults.find("; ", at), defaults.size());
      ladder += indent + defaults.substr(at, end - at) + "\n";
      at = end + 2;
    }
  }
  app.footer(ladder);
  const ae::TrainConfig defaults;
  const std::string config_or = " (default: the config's, or ";

  TrainArgs t;
  CLI::App* train_cmd =
      app.add_subcommand("train", "train a model, evaluate it next to PCA, draw pictures");
  train_cmd->add_option("--model", t.model, model_list + " (default: the config's, or basic)")
      ->check(models);
  train_cmd->add_option("--config", t.config,
                        "a named config (keras-basic, hinton, ...) or a JSON file "
                        "(default: none, the model's defaults)");
  train_cmd
      ->add_option("--init", t.init,
                   "how the layers start (default: the config's, or the model's: "
                   "pytorch unless its defaults below say otherwise)")
      ->check(CLI::IsMember(ae::init_names()));
  train_cmd
      ->add_option(
          "--epochs", t.epochs,
          "passes over the training images" + config_or + std::to_string(defaults.epochs) + ")")
      ->check(interval(ae::ranges::epochs));
  train_cmd
      ->add_option("--batch-size", t.batch_size,
                   "samples per batch" + config_or + std::to_string(defaults.batch_size) +
                       " unless the model's defaults below say otherwise)")
      ->check(interval(ae::ranges::batch_size));
  train_cmd
      ->add_option("--lr", t.lr,
                   "learning rate" + config_or + ae::readable_number(defaults.lr) +
                       " unless the model's defaults below say otherwise)")
      ->check(interval(ae::ranges::lr));
  train_cmd
      ->add_option("--latent", t.latent,
                   "code size, at most the 784 pixels (default: the config's)")
      ->check(interval(ae::ranges::code_size));
  train_cmd
      ->add_option("--seed", t.seed,
                   "random seed" + config_or + std::to_string(defaults.seed) + ")")
      ->check(seed_check)
      ->each([&](const std::string&) { t.seed_given = true; });
  train_cmd->add_option("--limit", t.limit, "use only the first N training images (default: all)")
      ->check(interval(ae::ranges::images));
  train_cmd->add_option("--out", t.out, "output folder (default: runs/<config name>)");
  train_cmd->add_flag("--force", t.force,
                      "replace an earlier run's files in the output folder (only those: a folder "
                      "holding anything else is refused)");
  train_cmd->add_option(
      "--data-dir", t.data_dir,
      "Fashion-MNIST folder (default: " + data::default_fashion_mnist_dir() + ")");
  train_cmd
      ->add_option("--checkpoint-every", t.checkpoint_every,
                   "epochs between checkpoints in <out>/checkpoint.npz "
                   "(default: after any epoch ending a minute or more after the last checkpoint)")
      ->check(interval({1, 100000}));
  train_cmd->add_flag("--detect-anomaly", t.detect_anomaly,
                      "stop at the first op whose forward or backward makes "
                      "a NaN or Inf, and name it (slower)");
  train_cmd->add_flag("--stop-on-divergence", t.stop_on_divergence,
                      "stop with an error, not a warning, when the "
                      "validation loss rises 3 epochs in a row or an epoch changes no weight");
  train_cmd->add_option("--resume", t.resume,
                        "go on with the interrupted run in this folder, with its own settings "
                        "(--data-dir and --checkpoint-every, if given, must be the run's own)");

  std::string components = "2,10,30,32", data_dir;
  std::int64_t limit = -1;
  CLI::App* pca_cmd = app.add_subcommand("pca", "print PCA's test error for several code sizes");
  pca_cmd->add_option("--components", components, "comma-separated code sizes, each 0 to 784")
      ->capture_default_str();
  pca_cmd->add_option("--limit", limit, "fit on the first N training images (default: all)")
      ->check(interval(ae::ranges::images));
  pca_cmd->add_option("--data-dir", data_dir,
                      "Fashion-MNIST folder (default: " + data::default_fashion_mnist_dir() + ")");

  std::string model_file, out_png = "samples.png";
  std::int64_t count = 64;
  std::uint64_t seed = 0;
  CLI::App* eval_cmd = app.add_subcommand("eval", "evaluate a trained model on the test images");
  eval_cmd->add_option("--model-file", model_file, "model.npz written by train")->required();
  eval_cmd->add_option("--data-dir", data_dir,
                       "Fashion-MNIST folder (default: " + data::default_fashion_mnist_dir() + ")");
  CLI::App* sample_cmd = app.add_subcommand("sample", "draw images from a trained VAE");
  sample_cmd->add_option("--model-file", model_file, "model.npz of a vae")->required();
  // 9000 images in 10 columns at scale 3 make 851 x 76501 pixels, under the 2^26 that
  // save_image_grid draws.
  sample_cmd->add_option("--count", count, "number of images")
      ->check(interval({1, 9000}))
      ->capture_default_str();
  sample_cmd->add_option("--out", out_png, "PNG file to write")->capture_default_str();
  sample_cmd->add_option("--seed", seed, "random seed")->check(seed_check)->capture_default_str();

  std::string model, config;
  std::int64_t batch_size = 0;
  int steps = 20;
  CLI::App* check_cmd =
      app.add_subcommand("gradcheck", "gradient-check a tiny instance of a model");
  check_cmd->add_option("--model", model, model_list)->required()->check(models);
  check_cmd
      ->add_option("--steps", steps,
                   "Adam steps before the check (fails if a gradient is then identically zero)")
      ->check(interval({0, 10000}))
      ->capture_default_str();
  check_cmd->add_option("--seed", seed, "random seed of the model and its batch")
      ->check(seed_check)
      ->capture_default_str();
  CLI::App* summary_cmd = app.add_subcommand("summary", "print a model's layers and parameters");
  summary_cmd->add_option("--model", model, model_list + " (default: the config's, or basic)")
      ->check(models);
  summary_cmd->add_option("--config", config, "a named config or a JSON file (default: none)");
  summary_cmd
      ->add_option("--batch-size", batch_size,
                   "batch size for the memory estimate (default: the config's)")
      ->check(interval(ae::ranges::batch_size));

  // An empty or blank value is never meant: `--resume ''` must not start a fresh run, nor
  // `--out ''` write into runs/<name>.
  const CLI::Validator not_blank(
      [](std::string& value) -> std::string {
        return value.find_first_not_of(" \t\n\r\f\v") == std::string::npos ? "the value is empty"
                                                                           : "";
      },
      /*validator_desc=*/"");
  for (CLI::App* command : app.get_subcommands({})) {
    for (CLI::Option* option : command->get_options()) {
      if (option->get_type_size() != 0 && option->get_name() != "--help") option->check(not_blank);
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "xtgrad: " << e.what() << " (see xtgrad --help)\n";
    return 2;
  }
  try {
    if (*train_cmd) {
      // Only train catches these: the other commands save nothing, and end at once.
      for (int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, on_stop_signal);
      ae::RunOptions options;
      options.out_dir = t.out;
      options.data_dir = t.data_dir;
      options.checkpoint_every = t.checkpoint_every;
      options.replace = t.force;
      options.stop = &stop_requested;
      options.divergence.stop = t.stop_on_divergence;
      if (const char* steps = std::getenv("XTGRAD_STOP_AFTER_STEPS"))
        options.stop_after_steps = std::stoll(steps);  // tests
      // Tests: XTGRAD_SIGNAL_AT=pca:1 sends this process signal 1 (SIGHUP) as PCA starts.
      if (const char* at = std::getenv("XTGRAD_SIGNAL_AT")) {
        const std::string spec = at;
        const std::string when = spec.substr(0, spec.find(':'));
        const int signal = std::atoi(spec.substr(spec.find(':') + 1).c_str());
        options.on_phase = [when, signal](const std::string& phase) {
          if (phase == when) std::raise(signal);
        };
      }
      const DetectAnomalyGuard anomaly(t.detect_anomaly);
      if (t.resume.empty()) {
        ae::train_and_evaluate(train_config(t), options);
        return 0;
      }
      for (const char* setting : {"--model", "--config", "--init", "--epochs", "--batch-size",
                                  "--lr", "--latent", "--seed", "--limit", "--out", "--force"}) {
        if (train_cmd->count(setting) > 0) {
          throw ValueError(
              std::string("--resume goes on with the run's own settings; it takes no ") + setting);
        }
      }
      ae::resume_run(t.resume, options);
      return 0;
    }
    if (*pca_cmd) {
      ae::print_pca_table(parse_components(components), data_dir, limit, std::cout);
      return 0;
    }
    if (*eval_cmd) {
      ae::evaluate_trained(model_file, data_dir, std::cout);
      return 0;
    }
    if (*sample_cmd) return sample(model_file, count, out_png, seed);
    if (*check_cmd) return gradcheck_model(model, steps, seed);
    if (*summary_cmd) return summary(model, config, batch_size);
  } catch (const Interrupted& e) {
    std::cerr << "xtgrad: " << e.what() << "\n";
    return 130;  // 128 + SIGINT, as a shell reports a process ended by Ctrl-C
  } catch (const std::exception& e) {
    std::cerr << "xtgrad: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace xtgrad::cli
