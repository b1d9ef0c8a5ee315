// Reading and writing run configurations (see config.hpp).
#include "autoencoders/config.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "data/fashion_mnist.hpp"
#include "tensor/errors.hpp"

namespace xtgrad::ae {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Why `v` is not exactly a T ("" if it is one): booleans, whole numbers in T's range, finite
// numbers, strings and lists of whole numbers are told apart.
template <class T> std::string why_not(const json& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v.is_boolean() ? "" : "must be true or false";
  } else if constexpr (std::is_integral_v<T>) {
    const std::string range = "must be a whole number from " + std::to_string(std::numeric_limits<T>::min()) +
                              " to " + std::to_string(std::numeric_limits<T>::max());
    if (!v.is_number_integer()) return range;
    if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= std::numeric_limits<T>::max() ? "" : range;
    const std::int64_t x = v.get<std::int64_t>();
    const bool inside = std::is_signed_v<T> ? x >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
                                                  x <= static_cast<std::int64_t>(std::numeric_limits<T>::max())
                                            : x >= 0;
    return inside ? "" : range;
  } else if constexpr (std::is_floating_point_v<T>) {
    return v.is_number() ? "" : "must be a number";  // (1e400 is already a parse error)
  } else if constexpr (std::is_same_v<T, std::string>) {
    return v.is_string() ? "" : "must be a string";
  } else {
    static_assert(std::is_same_v<T, std::vector<std::int64_t>>);
    if (!v.is_array()) return "must be a list of whole numbers";
    for (const json& item : v) {
      if (!why_not<std::int64_t>(item).empty()) return "must be a list of whole numbers";
    }
    return "";
  }
}

// Reads the keys of one JSON object into a struct, refusing keys it does not know.
class Section {
 public:
  Section(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) throw ValueError(where_ + ": expected an object");
  }
  // NOTE: nlohmann's get<T>() narrows silently (4294967297 -> int 1, 1.9 -> 1, true -> 1,
  // -1 -> uint64 2^64 - 1), so each value is checked to be exactly representable first.
  template <class T> void read(const char* key, T& value) {
    known_.insert(key);
    if (!object_.contains(key)) return;
    const json& v = object_.at(key);
    const std::string problem = why_not<T>(v);
    if (!problem.empty()) throw ValueError(where_ + ": \"" + key + "\" " + problem + ", got " + v.dump());
    value = v.get<T>();
  }
  template <class Parse, class T> void read_as(const char* key, Parse parse, T& value) {
    std::string text;
    read(key, text);
    if (text.empty()) return;
    try {
      value = parse(text);
    } catch (const ValueError& e) {
      throw ValueError(where_ + ": \"" + key + "\": " + e.what());
    }
  }
  // Accepts a key that another Section reads.
  void allow(const char* key) { known_.insert(key); }
  void finish() const {
    for (const auto& [key, v] : object_.items()) {
      if (!known_.count(key)) throw ValueError(where_ + ": unknown key \"" + key + "\"");
    }
  }

 private:
  const json& object_;
  std::string where_;
  std::set<std::string> known_;
};

void read_sections(const json& j, const std::string& where, RunConfig& c) {
  Section top(j, where);
  std::string model = "basic", description, name = c.name;
  top.read("model", model);
  top.read("description", description);
  top.read("name", name);  // written into config.json by train; a file name otherwise
  if (!j.contains("init")) {
    throw ValueError(where + ": no \"init\" key; say how the layers start (pytorch, glorot-uniform, ufldl)");
  }
  Init init = Init::pytorch;
  top.read_as("init", parse_init, init);
  for (const char* key : {"basic", "deep", "denoising", "sparse", "vae", "train"}) top.allow(key);
  top.finish();
  c = default_config(model);  // the model's defaults, then the file's settings over them
  c.name = name;
  c.description = description;
  c.init = init;
  if (j.contains("basic")) {
    Section s(j.at("basic"), where + ", basic");
    s.read("code", c.basic.code);
    s.read_as("hidden", parse_activation, c.basic.hidden);
    s.read_as("output", parse_activation, c.basic.output);
    s.read_as("loss", parse_loss, c.basic.loss);
    s.read("tied", c.basic.tied);
    s.read("code_l2", c.basic.code_l2);
    s.finish();
  }
  if (j.contains("deep")) {
    Section s(j.at("deep"), where + ", deep");
    s.read("sizes", c.deep.sizes);
    s.read_as("hidden", parse_activation, c.deep.hidden);
    s.read_as("code", parse_activation, c.deep.code);
    s.read_as("output", parse_activation, c.deep.output);
    s.read_as("loss", parse_loss, c.deep.loss);
    s.finish();
  }
  if (j.contains("denoising")) {
    Section s(j.at("denoising"), where + ", denoising");
    s.read("inner", c.denoising_inner);
    s.read_as("noise", parse_noise, c.noise.kind);
    s.read("level", c.noise.level);
    s.finish();
  }
  if (j.contains("sparse")) {
    Section s(j.at("sparse"), where + ", sparse");
    s.read("hidden", c.sparse.hidden);
    s.read("rho", c.sparse.rho);
    s.read("lambda", c.sparse.lambda);
    s.read("beta", c.sparse.beta);
    s.read_as("penalty", [](const std::string& p) {
      if (p == "kl") return SparsityPenalty::kl;
      if (p == "l1") return SparsityPenalty::l1;
      throw ValueError("sparse penalty: unknown \"" + p + "\" (kl, l1)");
    }, c.sparse.penalty);
    s.read("l1", c.sparse.l1);
    s.finish();
  }
  if (j.contains("vae")) {
    Section s(j.at("vae"), where + ", vae");
    s.read("hidden", c.vae.hidden);
    s.read("latent", c.vae.latent);
    s.read("beta", c.vae.beta);
    s.finish();
  }
  if (j.contains("train")) {
    Section s(j.at("train"), where + ", train");
    s.read("optimizer", c.train.optimizer);
    s.read("lr", c.train.lr);
    s.read("batch_size", c.train.batch_size);
    s.read("epochs", c.train.epochs);
    s.read("limit", c.train.limit);
    s.read("validation", c.train.validation);
    s.read("seed", c.train.seed);
    s.read("lbfgs_iterations", c.train.lbfgs_iterations);
    s.read("pretrain_epochs", c.train.pretrain_epochs);
    s.finish();
  }
}

}  // namespace

namespace {

// The most parameters a configuration may ask for: 2^28 (1 GiB of float32 weights, 4 GiB with
// their gradients and Adam's two moments). A larger layer is a typo, not a protocol.
constexpr double kMaxParameters = 268435456.0;

// The layer widths of the selected model, input first, and the key that sets them.
std::pair<std::vector<std::int64_t>, std::string> layer_widths(const RunConfig& c) {
  const std::int64_t pixels = data::fashion_mnist_pixels;
  const std::string inner = c.model == "denoising" ? c.denoising_inner : c.model;
  if (inner == "basic") return {{pixels, c.basic.code}, "basic.code"};
  if (inner == "deep") return {c.deep.sizes, "deep.sizes"};
  if (inner == "sparse") return {{pixels, c.sparse.hidden}, "sparse.hidden"};
  return {{pixels, c.vae.hidden, c.vae.latent}, "vae.hidden and vae.latent"};
}

// Weights and biases of a mirrored encoder-decoder with these widths, in double: the product
// of two huge widths must not wrap around before it is compared with the limit.
double parameter_estimate(const std::vector<std::int64_t>& widths) {
  double count = 0;
  for (std::size_t i = 0; i + 1 < widths.size(); ++i) {
    const double a = static_cast<double>(widths[i]), b = static_cast<double>(widths[i + 1]);
    count += 2 * a * b + a + b;  // encoder (a -> b) and decoder (b -> a)
  }
  return count;
}

}  // namespace

void check_config(const RunConfig& c, const std::string& where) {
  const TrainConfig& t = c.train;
  if (t.optimizer != "adam" && t.optimizer != "sgd" && t.optimizer != "lbfgs") {
    throw ValueError(where + ": unknown optimizer \"" + t.optimizer + "\" (adam, sgd, lbfgs)");
  }
  if (c.model == "denoising" && c.denoising_inner != "basic" && c.denoising_inner != "deep") {
    throw ValueError(where + ": denoising.inner must be basic or deep, not \"" + c.denoising_inner + "\"");
  }
  // The same bounds as the command line's options (and 20 L-BFGS iterations per epoch).
  if (!(t.lr > 0 && t.lr <= 1000) || t.batch_size <= 0 || t.batch_size > 1000000 || t.epochs <= 0 ||
      t.epochs > 100000 || t.validation < 0 || t.lbfgs_iterations <= 0 || t.lbfgs_iterations > 2000000 ||
      t.pretrain_epochs < 0 || t.pretrain_epochs > 100000 || (t.limit < 0 && t.limit != -1) || t.limit == 0) {
    throw ValueError(where + ": training settings out of range (lr in (0, 1000], batch_size in [1, 1000000], "
                     "epochs in [1, 100000], lbfgs_iterations in [1, 2000000], pretrain_epochs in [0, 100000], "
                     "limit > 0 or -1, validation >= 0)");
  }
  for (const auto& [key, value] : {std::pair<const char*, double>{"basic.code_l2", c.basic.code_l2},
                                   {"denoising.level", c.noise.level}, {"sparse.rho", c.sparse.rho},
                                   {"sparse.lambda", c.sparse.lambda}, {"sparse.beta", c.sparse.beta},
                                   {"sparse.l1", c.sparse.l1}, {"vae.beta", c.vae.beta}}) {
    if (!std::isfinite(value)) throw ValueError(where + ": " + key + " must be a finite number");
  }
  const auto [widths, key] = layer_widths(c);
  if (widths.size() < 2) {
    throw ValueError(where + ": " + key + " needs at least two sizes, the input and the code");
  }
  if (widths.front() != data::fashion_mnist_pixels) {
    throw ValueError(where + ": " + key + " must start with the " + std::to_string(data::fashion_mnist_pixels) +
                     " pixels of an image, got " + std::to_string(widths.front()));
  }
  for (std::int64_t w : widths) {
    if (w <= 0) throw ValueError(where + ": " + key + ": every size must be positive, got " + std::to_string(w));
  }
  const double parameters = parameter_estimate(widths);
  if (parameters > kMaxParameters) {
    std::ostringstream s;
    s << where << ": " << key << ": the model would have " << parameters << " parameters, more than the "
      << kMaxParameters << " (1 GiB of float32 weights) allowed";
    throw ValueError(s.str());
  }
  const std::int64_t code = code_size(c);
  if (code > data::fashion_mnist_pixels) {  // checked before training, not after it
    throw ValueError(where + ": the code size " + std::to_string(code) + " is more than the " +
                     std::to_string(data::fashion_mnist_pixels) +
                     " pixels of an image, the most components of the PCA every run is compared with");
  }
}

std::string default_config_dir() {
  const char* env = std::getenv("XTGRAD_CONFIG_DIR");
  if (env != nullptr && *env != '\0') return env;
  std::error_code error;
  const fs::path program = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = (program.parent_path() / XTGRAD_INSTALLED_CONFIG_DIR).lexically_normal();
    if (fs::is_directory(installed, error)) return installed.string();
  }
  return XTGRAD_SOURCE_CONFIG_DIR;
}

RunConfig default_config(const std::string& model) {
  RunConfig c;
  c.model = model;
  c.name = model;
  if (model == "sparse") {
    c.init = Init::ufldl;         // UFLDL's protocol: its initialisation, full-batch L-BFGS
    c.train.optimizer = "lbfgs";  // with unit steps
    c.train.lr = 1.0;
  } else if (model == "vae") {
    c.train.batch_size = 128;
  } else if (model != "basic" && model != "deep" && model != "denoising") {
    throw ValueError("unknown model \"" + model + "\" (basic, deep, denoising, sparse, vae)");
  }
  return c;
}

RunConfig load_config(const std::string& name_or_path, const std::string& dir) {
  const bool is_path = name_or_path.find('/') != std::string::npos ||
                       (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json");
  const std::string path = is_path ? name_or_path : dir + "/" + name_or_path + ".json";
  std::error_code error;
  if (fs::is_directory(path, error)) throw FileError("config " + path + ": is a folder, not a JSON file");
  std::ifstream in(path);
  if (!in) {
    throw FileError("config " + path + ": cannot open it" +
                    (is_path ? "" : " (named configs live in " + dir + ")"));
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw FileError("config " + path + ": cannot read it");
  const std::size_t slash = path.find_last_of('/');
  std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  name = name.substr(0, name.size() - (name.size() > 5 && name.substr(name.size() - 5) == ".json" ? 5 : 0));
  return parse_config(text, "config " + path, name);
}

RunConfig parse_config(const std::string& text, const std::string& where, const std::string& name) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    throw ValueError(where + ": not valid JSON (" + e.what() + ")");
  }
  RunConfig c;
  c.name = name;
  read_sections(j, where, c);
  check_config(c, where);
  return c;
}

std::int64_t code_size(const RunConfig& c) {
  if (c.model == "basic") return c.basic.code;
  // An empty deep.sizes has no code; check_config refuses it.
  const std::int64_t deep_code = c.deep.sizes.empty() ? 0 : c.deep.sizes.back();
  if (c.model == "deep") return deep_code;
  if (c.model == "denoising") return c.denoising_inner == "basic" ? c.basic.code : deep_code;
  if (c.model == "sparse") return c.sparse.hidden;
  return c.vae.latent;
}

void set_code_size(RunConfig& c, std::int64_t code) {
  if (code <= 0) throw ValueError("--latent: the code size must be positive, got " + std::to_string(code));
  c.basic.code = code;
  if (c.deep.sizes.size() >= 2) c.deep.sizes.back() = code;
  c.sparse.hidden = code;
  c.vae.latent = code;
}

namespace {

std::shared_ptr<Autoencoder> build_model(const RunConfig& c, Generator& gen) {
  if (c.model == "basic") return std::make_shared<BasicAutoencoder>(c.basic, gen);
  if (c.model == "deep") return std::make_shared<DeepAutoencoder>(c.deep, gen);
  if (c.model == "sparse") return std::make_shared<SparseAutoencoder>(c.sparse, gen);
  if (c.model == "vae") return std::make_shared<VariationalAutoencoder>(c.vae, gen, c.train.seed + 1);
  if (c.model == "denoising") {
    std::shared_ptr<Autoencoder> inner;
    if (c.denoising_inner == "basic") {
      inner = std::make_shared<BasicAutoencoder>(c.basic, gen);
    } else if (c.denoising_inner == "deep") {
      inner = std::make_shared<DeepAutoencoder>(c.deep, gen);
    } else {
      throw ValueError("denoising: the inner model must be basic or deep, not \"" + c.denoising_inner + "\"");
    }
    return std::make_shared<DenoisingAutoencoder>(inner, c.noise, c.train.seed + 2);
  }
  throw ValueError("unknown model \"" + c.model + "\" (basic, deep, denoising, sparse, vae)");
}

}  // namespace

std::shared_ptr<Autoencoder> make_model(const RunConfig& c, Generator& gen) {
  std::shared_ptr<Autoencoder> model = build_model(c, gen);
  initialise(*model, c.init, gen);
  return model;
}

std::string config_to_json(const RunConfig& c) {
  json j;
  j["name"] = c.name;
  j["description"] = c.description;
  j["model"] = c.model;
  j["init"] = init_name(c.init);
  j["basic"] = {{"code", c.basic.code}, {"hidden", activation_name(c.basic.hidden)},
                {"output", activation_name(c.basic.output)}, {"loss", loss_name(c.basic.loss)},
                {"tied", c.basic.tied}, {"code_l2", c.basic.code_l2}};
  j["deep"] = {{"sizes", c.deep.sizes}, {"hidden", activation_name(c.deep.hidden)},
               {"code", activation_name(c.deep.code)}, {"output", activation_name(c.deep.output)},
               {"loss", loss_name(c.deep.loss)}};
  j["denoising"] = {{"inner", c.denoising_inner}, {"noise", noise_name(c.noise.kind)}, {"level", c.noise.level}};
  j["sparse"] = {{"hidden", c.sparse.hidden}, {"rho", c.sparse.rho}, {"lambda", c.sparse.lambda},
                 {"beta", c.sparse.beta}, {"penalty", c.sparse.penalty == SparsityPenalty::kl ? "kl" : "l1"},
                 {"l1", c.sparse.l1}};
  j["vae"] = {{"hidden", c.vae.hidden}, {"latent", c.vae.latent}, {"beta", c.vae.beta}};
  j["train"] = {{"optimizer", c.train.optimizer}, {"lr", c.train.lr}, {"batch_size", c.train.batch_size},
                {"epochs", c.train.epochs}, {"limit", c.train.limit}, {"validation", c.train.validation},
                {"seed", c.train.seed}, {"lbfgs_iterations", c.train.lbfgs_iterations},
                {"pretrain_epochs", c.train.pretrain_epochs}};
  return j.dump(2);
}

}  // namespace xtgrad::ae
