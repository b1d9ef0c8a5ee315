// Reading and writing run configurations (see config.hpp).
#include "autoencoders/config.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <set>
#include <sstream>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "autoencoders/bounded_json.hpp"
#include "autoencoders/config_fields.hpp"
#include "autoencoders/model_kinds.hpp"
#include "data/fashion_mnist.hpp"
#include "tensor/errors.hpp"

namespace xtgrad::ae {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Why `v` is not exactly a T ("" if it is one): booleans, whole numbers in T's range, finite
// numbers, strings and lists of whole numbers are told apart.
template <class T>
std::string why_not(const json& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v.is_boolean() ? "" : "must be true or false";
  } else if constexpr (std::is_integral_v<T>) {
    const std::string range = "must be a whole number from " +
                              std::to_string(std::numeric_limits<T>::min()) + " to " +
                              std::to_string(std::numeric_limits<T>::max());
    if (!v.is_number_integer()) return range;
    if (v.is_number_unsigned())
      return v.get<std::uint64_t>() <= std::numeric_limits<T>::max() ? "" : range;
    const std::int64_t x = v.get<std::int64_t>();
    const bool inside = std::is_signed_v<T>
                            ? x >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
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

// Reads the keys of one JSON object through a section's fields, refusing keys it does not know.
class JsonReader : public ConfigFields {
 public:
  JsonReader(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) throw ValueError(where_ + ": expected an object");
  }
  void field(const char* key, bool& value) override { read(key, value); }
  void field(const char* key, int& value) override { read(key, value); }
  void field(const char* key, std::int64_t& value) override { read(key, value); }
  void field(const char* key, std::uint64_t& value) override { read(key, value); }
  void field(const char* key, double& value) override { read(key, value); }
  void field(const char* key, std::string& value) override { read(key, value); }
  void field(const char* key, std::vector<std::int64_t>& value) override { read(key, value); }
  std::string where() const override { return where_; }

  // Accepts a key that another reader reads.
  void allow(const std::string& key) { known_.insert(key); }
  void finish() const {
    for (const auto& [key, v] : object_.items()) {
      if (!known_.count(key)) throw ValueError(where_ + ": unknown key " + quote(key));
    }
  }

 private:
  // NOTE: nlohmann's get<T>() narrows silently (4294967297 -> int 1, 1.9 -> 1, true -> 1,
  // -1 -> uint64 2^64 - 1), so each value is checked to be exactly representable first.
  template <class T>
  void read(const char* key, T& value) {
    known_.insert(key);
    if (!object_.contains(key)) return;
    const json& v = object_.at(key);
    const std::string problem = why_not<T>(v);
    if (!problem.empty())
      throw ValueError(where_ + ": \"" + key + "\" " + problem + ", got " + shown(v));
    value = v.get<T>();
  }

  const json& object_;
  std::string where_;
  std::set<std::string> known_;
};

// Writes every field of a section into a JSON object.
class JsonWriter : public ConfigFields {
 public:
  void field(const char* key, bool& value) override { object[key] = value; }
  void field(const char* key, int& value) override { object[key] = value; }
  void field(const char* key, std::int64_t& value) override { object[key] = value; }
  void field(const char* key, std::uint64_t& value) override { object[key] = value; }
  void field(const char* key, double& value) override { object[key] = value; }
  void field(const char* key, std::string& value) override { object[key] = value; }
  void field(const char* key, std::vector<std::int64_t>& value) override { object[key] = value; }
  std::string where() const override { return "config_to_json"; }

  json object = json::object();
};

// The train section's fields.
void train_fields(ConfigFields& f, TrainConfig& t) {
  f.field("optimizer", t.optimizer);
  f.field("lr", t.lr);
  if (t.optimizer == "sgd") f.field("momentum", t.momentum);  // no other optimizer has one
  f.field("batch_size", t.batch_size);
  f.field("epochs", t.epochs);
  f.field("limit", t.limit);
  f.field("validation", t.validation);
  f.field("seed", t.seed);
  f.field("lbfgs_iterations", t.lbfgs_iterations);
  f.field("pretrain_epochs", t.pretrain_epochs);
}

void read_sections(const json& j, const std::string& where, RunConfig& c) {
  JsonReader top(j, where);
  std::string model = "basic", description, name = c.name;
  top.field("model", model);
  top.field("description", description);
  top.field("name", name);  // written into config.json by train; a file name otherwise
  if (!j.contains("init")) {
    throw ValueError(
        where + ": no \"init\" key; say how the layers start (pytorch, glorot-uniform, ufldl)");
  }
  Init init = Init::pytorch;
  top.choice("init", init, parse_init, init_name);
  for (const ModelKind& kind : model_kinds()) top.allow(kind.name);
  top.allow("train");
  top.finish();
  try {
    c = default_config(model);  // the model's defaults, then the file's settings over them
  } catch (const ValueError& e) {
    throw ValueError(where + ": " + e.what());
  }
  c.name = name;
  c.description = description;
  c.init = init;
  for (const ModelKind& kind :
       model_kinds()) {  // every kind's section: a denoising model reads its inner's
    if (!j.contains(kind.name)) continue;
    JsonReader section(j.at(kind.name), where + ", " + kind.name);
    kind.fields(section, c);
    section.finish();
  }
  if (j.contains("train")) {
    JsonReader section(j.at("train"), where + ", train");
    train_fields(section, c.train);
    if (c.train.optimizer != "sgd" && j.at("train").contains("momentum")) {  // it would do nothing
      throw ValueError(where + ", train: \"momentum\" is a setting of the sgd optimizer, not of " +
                       quote(c.train.optimizer) + "; remove it, or set \"optimizer\": \"sgd\"");
    }
    section.finish();
  }
}

static_assert(ranges::code_size.high == data::fashion_mnist_pixels,
              "a code as large as an image, at most");

// The most parameters a configuration may ask for: 2^28 (1 GiB of float32 weights, 4 GiB with
// their gradients and Adam's two moments). A larger layer is a typo, not a protocol.
constexpr double kMaxParameters = 268435456.0;

// ValueError "<where>: <name>: <x> is not in <range><note>" unless x is in `range`.
template <class T>
void check_in(const std::string& where, const std::string& name, T x, const Range& range,
              const std::string& note = "") {
  if (range.contains(static_cast<double>(x))) return;
  const std::string written =
      std::is_integral_v<T> ? std::to_string(x) : readable_number(static_cast<double>(x));
  throw ValueError(where + ": " + name + ": " + range.not_in(written) + note);
}

}  // namespace

std::string Range::text() const {
  return (open_low ? "(" : "[") + readable_number(low) + ", " + readable_number(high) +
         (open_high ? ")" : "]");
}

std::string readable_number(double x) {
  std::ostringstream s;
  if (x == std::floor(x) && std::abs(x) < 1e15) {
    s << static_cast<long long>(x);
  } else {
    s << x;
  }
  return s.str();
}

void check_config(const RunConfig& c, const std::string& where) {
  const TrainConfig& t = c.train;
  if (t.optimizer != "adam" && t.optimizer != "sgd" && t.optimizer != "lbfgs") {
    throw ValueError(where + ": unknown optimizer " + quote(t.optimizer) + " (adam, sgd, lbfgs)");
  }
  const ModelKind& kind = model_kind(c.model);
  check_in(where, "train.lr", t.lr, ranges::lr);
  check_in(where, "train.momentum", t.momentum, ranges::momentum);
  check_in(where, "train.batch_size", t.batch_size, ranges::batch_size);
  check_in(where, "train.epochs", t.epochs, ranges::epochs);
  check_in(where, "train.lbfgs_iterations", t.lbfgs_iterations, ranges::lbfgs_iterations);
  check_in(where, "train.pretrain_epochs", t.pretrain_epochs, ranges::pretrain_epochs);
  if (t.limit != -1)
    check_in(where, "train.limit", t.limit, ranges::images, " (or -1: every image)");
  check_in(where, "train.validation", t.validation, ranges::validation);
  kind.check(c, where);
  const auto [widths, key] = kind.widths(c);
  if (widths.size() < 2) {
    throw ValueError(where + ": " + key + " needs at least two sizes, the input and the code");
  }
  if (widths.front() != c.input_size) {
    throw ValueError(where + ": " + key + " must start with the " + std::to_string(c.input_size) +
                     " pixels of an image, got " + std::to_string(widths.front()));
  }
  for (std::int64_t w : widths) {
    if (w <= 0)
      throw ValueError(where + ": " + key + ": every size must be positive, got " +
                       std::to_string(w));
  }
  const double parameters = kind.parameters(c);  // the built model's count, exactly (test_config)
  if (parameters > kMaxParameters) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(0) << where << ": " << key << ": the model would have "
      << parameters << " parameters, more than the " << kMaxParameters
      << " (1 GiB of float32 weights) allowed";
    throw ValueError(s.str());
  }
  // Checked before training, not after it: PCA, which every run is compared with, has at most
  // as many components as an image has pixels.
  check_in(where, "the code size", widths.back(), ranges::code_size,
           ", the most components of the PCA it is compared with");
}

std::string default_config_dir() {
  const char* env = std::getenv("XTGRAD_CONFIG_DIR");
  if (env != nullptr && *env != '\0') return env;
  std::error_code error;
  const fs::path program = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed =
        (program.parent_path() / XTGRAD_INSTALLED_CONFIG_DIR).lexically_normal();
    if (fs::is_directory(installed, error)) return installed.string();
  }
  return XTGRAD_SOURCE_CONFIG_DIR;
}

RunConfig default_config(const std::string& model) {
  RunConfig c;
  c.model = model;
  c.name = model;
  const ModelKind& kind = model_kind(model);
  if (kind.defaults) kind.defaults(c);
  return c;
}

RunConfig load_config(const std::string& name_or_path, const std::string& dir) {
  const bool is_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json");
  const std::string path = is_path ? name_or_path : dir + "/" + name_or_path + ".json";
  std::error_code error;
  if (fs::is_directory(path, error))
    throw FileError("config " + path + ": is a folder, not a JSON file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw FileError("config " + path + ": cannot open it" +
                    (is_path ? "" : " (named configs live in " + dir + ")"));
  }
  const std::uintmax_t size = fs::file_size(path, error);
  if (!error) check_json_size(size, "config " + path);  // before reading: a 5 GB file is never read
  // A file with no size to ask (a pipe) is read up to one byte past the limit.
  std::string text(kMaxJsonBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw FileError("config " + path + ": cannot read it");
  if (text.size() > kMaxJsonBytes)
    throw ValueError("config " + path + ": more than the 1 MiB a configuration may hold");
  const std::size_t slash = path.find_last_of('/');
  std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  name = name.substr(
      0, name.size() - (name.size() > 5 && name.substr(name.size() - 5) == ".json" ? 5 : 0));
  return parse_config(text, "config " + path, name);
}

RunConfig parse_config(const std::string& text, const std::string& where, const std::string& name) {
  const json j = parse_bounded_json(text, where);
  RunConfig c;
  c.name = name;
  read_sections(j, where, c);
  check_config(c, where);
  return c;
}

std::int64_t code_size(const RunConfig& c) {
  // An empty deep.sizes has no code; check_config refuses it.
  const std::vector<std::int64_t> widths = model_kind(c.model).widths(c).sizes;
  return widths.empty() ? 0 : widths.back();
}

void set_code_size(RunConfig& c, std::int64_t code) {
  check_in("set_code_size", "--latent", code, ranges::code_size);
  model_kind(c.model).set_code(c, code);
}

std::shared_ptr<Autoencoder> make_model(const RunConfig& c, Generator& gen) {
  std::shared_ptr<Autoencoder> model = model_kind(c.model).build(c, gen);
  initialise(*model, c.init, gen);
  return model;
}

std::string config_to_json(const RunConfig& c) {
  json j;
  j["name"] = c.name;
  j["description"] = c.description;
  j["model"] = c.model;
  j["init"] = init_name(c.init);
  RunConfig copy = c;  // the writer reads through the same (non-const) fields as the reader
  for (const std::string& name : used_sections(c)) {
    JsonWriter section;
    model_kind(name).fields(section, copy);
    j[name] = section.object;
  }
  JsonWriter train;
  train_fields(train, copy.train);
  j["train"] = train.object;
  return j.dump(2);
}

namespace {

// A section's fields as "key value" pairs, in the order the kind lists them: what --help shows.
class ListWriter : public ConfigFields {
 public:
  void field(const char* key, bool& value) override { add(key, value ? "true" : "false"); }
  void field(const char* key, int& value) override { add(key, std::to_string(value)); }
  void field(const char* key, std::int64_t& value) override { add(key, std::to_string(value)); }
  void field(const char* key, std::uint64_t& value) override { add(key, std::to_string(value)); }
  void field(const char* key, double& value) override {
    std::ostringstream s;
    s << value;  // 0.001, 3, 1e-07
    add(key, s.str());
  }
  void field(const char* key, std::string& value) override { add(key, value); }
  void field(const char* key, std::vector<std::int64_t>& value) override {
    std::string sizes;
    for (std::int64_t size : value) sizes += (sizes.empty() ? "" : "-") + std::to_string(size);
    add(key, sizes);
  }
  std::string where() const override { return "describe_defaults"; }

  std::vector<std::pair<std::string, std::string>> items;

 private:
  void add(const char* key, std::string value) { items.emplace_back(key, std::move(value)); }
};

std::string joined(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string text;
  for (const auto& [key, value] : items) text += (text.empty() ? "" : ", ") + key + " " + value;
  return text;
}

}  // namespace

std::string describe_defaults(const std::string& model) {
  RunConfig defaults = default_config(model);
  std::string text;
  for (const std::string& name : used_sections(defaults)) {
    ListWriter section;
    model_kind(name).fields(section, defaults);
    text += (text.empty() ? "" : "; ") + name + ": " + joined(section.items);
  }
  // What the kind's protocol changes of the settings every kind shares.
  RunConfig shared;
  if (defaults.init != shared.init) text += "; init " + init_name(defaults.init);
  ListWriter train, shared_train;
  train_fields(train, defaults.train);
  train_fields(shared_train, shared.train);
  std::vector<std::pair<std::string, std::string>> changed;
  for (std::size_t i = 0; i < train.items.size(); ++i) {
    if (train.items[i] != shared_train.items[i]) changed.push_back(train.items[i]);
  }
  if (!changed.empty()) text += "; train: " + joined(changed);
  return text;
}

}  // namespace xtgrad::ae
