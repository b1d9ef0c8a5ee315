#pragma once
// Run configurations: which model, with which options, trained how. Named configurations
// live as JSON files in autoencoders/configs/ (keras-basic.json, hinton.json, ...) and
// reproduce published protocols; `xtgrad train --config NAME` loads one.
//
//   {
//     "description": "Keras blog, basic autoencoder",
//     "model": "basic",
//     "init": "glorot-uniform",
//     "basic": {"code": 32, "hidden": "relu", "output": "sigmoid", "loss": "bce"},   a section per kind
//     "train": {"optimizer": "adam", "lr": 0.001, "batch_size": 256, "epochs": 50}
//   }
//
// The train section's keys are TrainConfig's members; "momentum" only with "optimizer": "sgd".
//
// Every key is checked: an unknown one (a typo) or one said twice is an error naming the file
// and the key. A configuration is at most 1 MiB and 16 levels deep (bounded_json.hpp), so a
// hostile file, checkpoint-config.json or model file's config.json gives one short line.
// "init" is required: a protocol is not reproduced unless its layers start as it says.
#include <any>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <typeindex>

#include "autoencoders/autoencoder.hpp"

namespace xtgrad::ae {

struct TrainConfig {
  std::string optimizer = "adam";  // adam, sgd or lbfgs (full batch)
  double lr = 1e-3;
  double momentum = 0.9;  // sgd only (a file that sets it for another optimizer is refused)
  std::int64_t batch_size = 256;
  int epochs = 10;
  std::int64_t limit = -1;         // use only the first `limit` training images (-1: all)
  std::int64_t validation = 5000;  // held out from the end of the training images
  std::uint64_t seed = 0;          // see the seed offsets below
  int lbfgs_iterations = 400;      // lbfgs: total iterations
  int pretrain_epochs = 0;         // deep: greedy layer-wise pretraining, epochs per layer
};

// A number's allowed range, the one rule for a config file and the command line alike, with
// one message: "--lr: 0 is not in (0, 1000]", "config f.json: train.lr: 0 is not in (0, 1000]".
struct Range {
  double low;
  double high;
  bool open_low = false;   // (low, ... rather than [low, ...
  bool open_high = false;  // ..., high) rather than ..., high]

  bool contains(double x) const {  // false for NaN
    return (open_low ? x > low : x >= low) && (open_high ? x < high : x <= high);
  }
  std::string text() const;  // "(0, 1000]"
  // "<written> is not in <text()>", `written` being the number as the user wrote it.
  std::string not_in(const std::string& written) const { return written + " is not in " + text(); }
};

// A number as a reader writes it: 1000, 0.001, 1e-12 (not 1000.000000).
std::string readable_number(double x);

// The ranges of the training settings, and of the code size (check_config, xtgrad's options).
namespace ranges {
inline constexpr Range lr{0, 1000, /*open_low=*/true};
inline constexpr Range momentum{0, 1, false, /*open_high=*/true};  // 1 would never forget a step
inline constexpr Range batch_size{1, 1000000};
inline constexpr Range epochs{1, 100000};
inline constexpr Range pretrain_epochs{0, 100000};
inline constexpr Range lbfgs_iterations{1, 2000000};
inline constexpr Range images{1, 100000000};      // train.limit (or -1: all of them), --limit
inline constexpr Range validation{0, 100000000};  // held-out images (at most a fifth are taken)
inline constexpr Range code_size{1, 784};  // at most the pixels of an image: PCA's most components
}  // namespace ranges

// The random streams of a run. The layers' initial values and the order of the batches are
// drawn from train.seed itself; every other stream from train.seed plus its own offset, so that
// no two streams repeat each other's numbers and a run is reproduced from train.seed alone.
constexpr std::uint64_t kVaeNoiseSeedOffset = 1;        // the VAE's samples of its code
constexpr std::uint64_t kDenoisingNoiseSeedOffset = 2;  // the noise added to denoising inputs
constexpr std::uint64_t kPicturesSeedOffset = 3;        // the random draws of the pictures

// Each model kind's options, one struct per kind (DeepConfig in deep.hpp, BasicConfig in
// kind_sections.hpp, ...), found by type: options.get<SparseConfig>().rho. A struct not set yet reads as its
// defaults, so a configuration holds every kind's options and a new kind needs no member here.
class ModelOptions {
 public:
  template <class T>
  T& get() {
    std::any& slot = by_type_[std::type_index(typeid(T))];
    if (!slot.has_value()) slot = T{};
    return std::any_cast<T&>(slot);
  }
  template <class T>
  T get() const {
    const auto found = by_type_.find(std::type_index(typeid(T)));
    return found == by_type_.end() ? T{} : std::any_cast<const T&>(found->second);
  }

 private:
  std::map<std::type_index, std::any> by_type_;
};

struct RunConfig {
  std::string name = "custom";
  std::string description;
  std::string model = "basic";    // the name of a kind of the table (model_kinds.hpp)
  Init init = Init::pytorch;      // how every Linear layer starts (autoencoder.hpp)
  std::int64_t input_size = 784;  // pixels per image (not in files: gradcheck's tiny models use 6)
  ModelOptions options;           // the options of every kind, from its section of the file
  TrainConfig train;
};

// The folder of the named configurations: $XTGRAD_CONFIG_DIR if set; else, for an installed
// program, <its folder>/../share/xtgrad/configs (found from /proc/self/exe, so a moved prefix
// works); else the source tree's autoencoders/configs (a program in the build tree).
std::string default_config_dir();

// A configuration from a JSON file path, or by name from `dir` ("keras-basic" ->
// dir/keras-basic.json). FileError for a missing or unreadable file, ValueError naming the
// file and key for bad content (a file over 1 MiB is refused before it is read).
RunConfig load_config(const std::string& name_or_path,
                      const std::string& dir = default_config_dir());
// A configuration from JSON text (as config_to_json writes it); `where` starts every error
// message, `name` is used when the text has no "name".
RunConfig parse_config(const std::string& text, const std::string& where,
                       const std::string& name = "custom");
// Throws ValueError, starting with `where`, for settings outside their ranges:: (epochs, lr,
// sizes...), naming the key ("train.lr: 0 is not in (0, 1000]").
void check_config(const RunConfig& config, const std::string& where);
// The defaults for a model name: its kind's protocol (ValueError for an unknown one).
RunConfig default_config(const std::string& model);
// The configuration as JSON text (what results.json and config.json record): the sections the
// run uses (its kind's, and those of the kinds it wraps) and the train section.
std::string config_to_json(const RunConfig& config);
// A kind's defaults in one line, from the kind itself (xtgrad --help): its sections, and the
// init and train settings its protocol changes. "vae: hidden 400, latent 20, beta 1; train:
// batch_size 128".
std::string describe_defaults(const std::string& model);

// Sets the code size of the model the configuration selects (--latent).
void set_code_size(RunConfig& config, std::int64_t code);
std::int64_t code_size(const RunConfig& config);

// The model a configuration describes, its layers drawn from gen by config.init.
std::shared_ptr<Autoencoder> make_model(const RunConfig& config, Generator& gen);

}  // namespace xtgrad::ae
