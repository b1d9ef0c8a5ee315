// Reading and writing run configurations (see config.hpp).
#include "autoencoders/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "autoencoders/fashion_mnist.hpp"
#include "tensor/errors.hpp"

namespace xtgrad::ae {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Reads the keys of one JSON object into a struct, refusing keys it does not know.
class Section {
 public:
  Section(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) throw ValueError(where_ + ": expected an object");
  }
  template <class T> void read(const char* key, T& value) {
    known_.insert(key);
    if (!object_.contains(key)) return;
    try {
      value = object_.at(key).get<T>();
    } catch (const json::exception&) {
      throw ValueError(where_ + ": \"" + key + "\" has the wrong type (" + object_.at(key).dump() + ")");
    }
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

void check_config(const RunConfig& c, const std::string& where) {
  const TrainConfig& t = c.train;
  if (t.optimizer != "adam" && t.optimizer != "sgd" && t.optimizer != "lbfgs") {
    throw ValueError(where + ": unknown optimizer \"" + t.optimizer + "\" (adam, sgd, lbfgs)");
  }
  if (!(t.lr > 0) || t.batch_size <= 0 || t.epochs <= 0 || t.validation < 0 || t.lbfgs_iterations <= 0 ||
      t.pretrain_epochs < 0 || (t.limit < 0 && t.limit != -1) || t.limit == 0) {
    throw ValueError(where + ": training settings must be positive (lr, batch_size, epochs, "
                     "lbfgs_iterations; limit > 0 or -1; validation and pretrain_epochs >= 0)");
  }
  const std::int64_t code = code_size(c);
  if (code <= 0) throw ValueError(where + ": the code size must be positive");
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
  std::ifstream in(path);
  if (!in) {
    throw FileError("config " + path + ": cannot open it" +
                    (is_path ? "" : " (named configs live in " + dir + ")"));
  }
  json j;
  try {
    in >> j;
  } catch (const json::parse_error& e) {
    throw ValueError("config " + path + ": not valid JSON (" + e.what() + ")");
  }
  RunConfig c;
  const std::size_t slash = path.find_last_of('/');
  c.name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  c.name = c.name.substr(0, c.name.size() - (c.name.size() > 5 && c.name.substr(c.name.size() - 5) == ".json" ? 5 : 0));
  read_sections(j, "config " + path, c);
  check_config(c, "config " + path);
  return c;
}

std::int64_t code_size(const RunConfig& c) {
  if (c.model == "basic") return c.basic.code;
  if (c.model == "deep") return c.deep.sizes.back();
  if (c.model == "denoising") return c.denoising_inner == "basic" ? c.basic.code : c.deep.sizes.back();
  if (c.model == "sparse") return c.sparse.hidden;
  return c.vae.latent;
}

void set_code_size(RunConfig& c, std::int64_t code) {
  if (code <= 0) throw ValueError("--latent: the code size must be positive, got " + std::to_string(code));
  c.basic.code = code;
  c.deep.sizes.back() = code;
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
