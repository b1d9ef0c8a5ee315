// Run configurations: the named configs start their layers as their protocol says, a config
// must say how its layers start, and what it says is written back out.
#include <cmath>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <map>

#include "../support/files.hpp"
#include "../tensor/helpers.hpp"
#include "autoencoders/kind_sections.hpp"
#include "autoencoders/config.hpp"
#include "autoencoders/deep.hpp"
#include "autoencoders/denoising.hpp"
#include "autoencoders/experiment.hpp"
#include "autoencoders/sparse.hpp"
#include "autoencoders/model_kinds.hpp"
#include "nn/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// The configs of the source tree (autoencoders/configs).
const std::string kConfigDir = XTGRAD_SOURCE_CONFIG_DIR;

// Every nn::Linear in a model, in registration order.
void linear_layers(const nn::Module& m, std::vector<const nn::Linear*>& out) {
  if (const auto* linear = dynamic_cast<const nn::Linear*>(&m)) out.push_back(linear);
  for (const auto& [name, child] : m.children()) linear_layers(*child, out);
}

std::vector<const nn::Linear*> linear_layers(const nn::Module& m) {
  std::vector<const nn::Linear*> out;
  linear_layers(m, out);
  return out;
}

double max_abs(const Variable& v) { return max(abs(v.data())).item(); }

// The weights fill U(-bound, bound): none outside, and the largest near the bound (of at least
// 2048 draws, the largest is below 0.9 bound with probability 0.9^2048).
void check_weights_fill(const nn::Linear& layer, double bound, const std::string& config) {
  const double largest = max_abs(layer.weight);
  BOOST_TEST(largest <= bound,
             config << " " << layer.describe() << ": |W| up to " << largest << " > " << bound);
  BOOST_TEST(largest > 0.9 * bound, config << " " << layer.describe() << ": |W| only up to "
                                           << largest << ", the bound is " << bound);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(keras_configs_start_from_glorot_uniform_and_zero_biases) {
  // Keras's Dense: kernel_initializer glorot_uniform, bias_initializer zeros.
  for (const std::string name : {"keras-basic", "keras-deep", "keras-denoising", "quickstart"}) {
    const ae::RunConfig c = ae::load_config(name, kConfigDir);
    BOOST_TEST(ae::init_name(c.init) == "glorot-uniform", name);
    Generator gen(0);
    const auto model = ae::make_model(c, gen);
    const auto layers = linear_layers(*model);
    BOOST_TEST_REQUIRE(layers.size() >= 2u, name);
    for (const nn::Linear* layer : layers) {
      const double fans = static_cast<double>(layer->in_features + layer->out_features);
      check_weights_fill(*layer, std::sqrt(6.0 / fans), name);
      BOOST_TEST(max_abs(layer->bias) == 0.0,
                 name << " " << layer->describe() << ": biases are not zero");
    }
  }
}

// One rule, one wording, wherever a loss meets an output: BCE needs a sigmoid output.
BOOST_AUTO_TEST_CASE(bce_needs_a_sigmoid_output_in_one_wording) {
  const std::string rule = "the BCE loss needs a sigmoid output, not relu";
  check_throws<ValueError>(
      [] {
        ae::parse_config(
            R"({"model": "basic", "init": "pytorch", "basic": {"output": "relu", "loss": "bce"}})",
            "config b.json");
      },
      {"config b.json: basic: " + rule});
  check_throws<ValueError>(
      [] {
        ae::parse_config(
            R"({"model": "deep", "init": "pytorch", "deep": {"sizes": [784, 8], "output": "relu", "loss": "bce"}})",
            "config d.json");
      },
      {"config d.json: deep: " + rule});
  const Variable pre(zeros({2, 3})), target(zeros({2, 3}));
  check_throws<ValueError>(
      [&] {
        ae::reconstruction_loss(pre, target, nn::Activation::relu, ae::ReconstructionLoss::bce);
      },
      {"reconstruction_loss: " + rule});
}

BOOST_AUTO_TEST_CASE(every_named_config_states_its_init) {
  const std::map<std::string, std::string> expected = {{"hinton", "pytorch"},
                                                       {"hinton-pretrained", "pytorch"},
                                                       {"hinton-relu", "pytorch"},
                                                       {"keras-basic", "glorot-uniform"},
                                                       {"keras-deep", "glorot-uniform"},
                                                       {"keras-denoising", "glorot-uniform"},
                                                       {"pytorch-vae", "pytorch"},
                                                       {"quickstart", "glorot-uniform"},
                                                       {"ufldl-sparse", "ufldl"}};
  std::size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kConfigDir)) {
    const std::string name = entry.path().stem().string();
    BOOST_TEST_REQUIRE(expected.count(name) == 1u, "a new config " << name << ": add it here");
    BOOST_TEST(ae::init_name(ae::load_config(name, kConfigDir).init) == expected.at(name), name);
    ++seen;
  }
  BOOST_TEST(seen == expected.size());
}

BOOST_AUTO_TEST_CASE(pytorch_and_ufldl_layers_follow_their_rules) {
  Generator gen(1);
  const auto sparse = ae::make_model(ae::load_config("ufldl-sparse", kConfigDir), gen);
  for (const nn::Linear* layer : linear_layers(*sparse)) {  // r = sqrt(6) / sqrt(in + out + 1)
    const double fans = static_cast<double>(layer->in_features + layer->out_features + 1);
    check_weights_fill(*layer, std::sqrt(6.0) / std::sqrt(fans), "ufldl-sparse");
    BOOST_TEST(max_abs(layer->bias) == 0.0);
  }
  const auto vae = ae::make_model(ae::load_config("pytorch-vae", kConfigDir), gen);
  for (const nn::Linear* layer : linear_layers(*vae)) {  // W and b in +-1/sqrt(in)
    const double bound = 1.0 / std::sqrt(static_cast<double>(layer->in_features));
    check_weights_fill(*layer, bound, "pytorch-vae");
    BOOST_TEST(max_abs(layer->bias) <= bound);
    BOOST_TEST(max_abs(layer->bias) > 0.0);
  }
}

BOOST_AUTO_TEST_CASE(a_config_without_a_valid_init_is_refused) {
  TempDir dir;
  const std::string missing = dir.file("missing.json");
  write_bytes(missing, R"({"model": "basic", "train": {"epochs": 1}})");
  check_throws<ValueError>([&] { ae::load_config(missing); },
                           {missing, "no \"init\" key", "glorot-uniform"});
  const std::string unknown = dir.file("unknown.json");
  write_bytes(unknown, R"({"model": "basic", "init": "he"})");
  check_throws<ValueError>([&] { ae::load_config(unknown); },
                           {unknown, "\"init\"", "\"he\"", "ufldl"});
  const std::string wrong_type = dir.file("wrong_type.json");
  write_bytes(wrong_type, R"({"model": "basic", "init": 1})");
  check_throws<ValueError>([&] { ae::load_config(wrong_type); },
                           {wrong_type, "\"init\" must be a string"});
  check_throws<ValueError>([] { ae::parse_init("xavier"); },
                           {"xavier", "pytorch, glorot-uniform, ufldl"});
}

BOOST_AUTO_TEST_CASE(config_json_records_the_init) {
  // config.json and results.json's "config" are config_to_json; train reads config.json back.
  ae::RunConfig c = ae::load_config("keras-deep", kConfigDir);
  const std::string text = ae::config_to_json(c);
  BOOST_TEST(text.find("\"init\": \"glorot-uniform\"") != std::string::npos, text);
  c.init = ae::Init::ufldl;
  TempDir dir;
  write_bytes(dir.file("config.json"), ae::config_to_json(c));
  BOOST_TEST(ae::init_name(ae::load_config(dir.file("config.json")).init) == "ufldl");
}

// Each bad config is refused by load_config with a ValueError naming the file and the key.
void check_refused(const std::string& json, const std::vector<std::string>& parts) {
  TempDir dir;
  const std::string path = dir.file("bad.json");
  write_bytes(path, json);
  std::vector<std::string> want = parts;
  want.push_back(path);
  check_throws<ValueError>([&] { ae::load_config(path); }, want);
}

BOOST_AUTO_TEST_CASE(numbers_are_never_narrowed) {
  const std::string head = R"({"model": "basic", "init": "pytorch", )";
  check_refused(head + R"("train": {"epochs": 4294967297}})",
                {"\"epochs\" must be a whole number", "4294967297"});
  check_refused(head + R"("train": {"epochs": 1.9}})",
                {"\"epochs\" must be a whole number", "1.9"});
  check_refused(head + R"("train": {"epochs": true}})",
                {"\"epochs\" must be a whole number", "true"});
  check_refused(head + R"("train": {"seed": -1}})",
                {"\"seed\" must be a whole number from 0", "-1"});
  check_refused(head + R"("train": {"seed": 99999999999999999999999}})",
                {"\"seed\" must be a whole number"});
  check_refused(head + R"("train": {"lr": 1e400}})", {"not valid JSON", "number overflow"});
  check_refused(head + R"("train": {"lr": "0.1"}})", {"\"lr\" must be a number"});
  check_refused(head + R"("basic": {"tied": 1}})", {"\"tied\" must be true or false"});
  check_refused(head + R"("basic": {"code": 2.5}})", {"\"code\" must be a whole number"});
}

BOOST_AUTO_TEST_CASE(layer_sizes_are_checked_before_any_layer_is_built) {
  const std::string deep = R"({"model": "deep", "init": "pytorch", "deep": {"sizes": )";
  check_refused(deep + "[]}}", {"deep.sizes needs at least two sizes"});
  check_refused(deep + "[784]}}", {"deep.sizes needs at least two sizes"});
  check_refused(deep + "[784, 0, 32]}}", {"deep.sizes: every size must be positive, got 0"});
  check_refused(deep + "[100, 32]}}", {"deep.sizes must start with the 784 pixels"});
  check_refused(deep + "[784, 5882252574524730, 32]}}",
                {"deep.sizes: the model would have", "parameters"});
  check_refused(R"({"model": "basic", "init": "pytorch", "basic": {"code": 5882252574524730}})",
                {"basic.code: the model would have"});
  check_refused(R"({"model": "vae", "init": "pytorch", "vae": {"hidden": 1000000000}})",
                {"vae.hidden and vae.latent: the model would have"});
  check_refused(R"({"model": "denoising", "init": "pytorch", "denoising": {"inner": "basic"},
                    "basic": {"code": -3}})",
                {"basic.code: every size must be positive, got -3"});
}

BOOST_AUTO_TEST_CASE(counts_that_would_overflow_are_refused) {
  const std::string head = R"({"model": "sparse", "init": "ufldl", "train": )";
  check_refused(head + R"({"lbfgs_iterations": 2147483647}})",
                {"train.lbfgs_iterations: 2147483647 is not in [1, 2000000]"});
  check_refused(head + R"({"epochs": 100001}})", {"train.epochs: 100001 is not in [1, 100000]"});
  check_refused(head + R"({"batch_size": 1000001}})",
                {"train.batch_size: 1000001 is not in [1, 1000000]"});
}

// The command line's options check the same ranges (xtgrad.cpp), in the same words:
// "--lr: 0 is not in (0, 1000]".
BOOST_AUTO_TEST_CASE(training_settings_are_refused_in_the_command_lines_words) {
  const std::string head = R"({"model": "basic", "init": "pytorch", "train": )";
  check_refused(head + R"({"lr": 0}})", {"train.lr: 0 is not in (0, 1000]"});
  check_refused(head + R"({"lr": 1000.5}})", {"train.lr: 1000.5 is not in (0, 1000]"});
  check_refused(head + R"({"limit": 0}})",
                {"train.limit: 0 is not in [1, 100000000] (or -1: every image)"});
  check_refused(head + R"({"limit": -2}})", {"train.limit: -2 is not in [1, 100000000]"});
  check_refused(head + R"({"validation": -1}})", {"train.validation: -1 is not in [0, 100000000]"});
  check_refused(head + R"({"pretrain_epochs": -1}})",
                {"train.pretrain_epochs: -1 is not in [0, 100000]"});
  check_refused(R"({"model": "basic", "init": "pytorch", "basic": {"code": 785}})",
                {"the code size: 785 is not in [1, 784]"});
  BOOST_TEST(ae::ranges::lr.text() == "(0, 1000]");
  BOOST_TEST(ae::ranges::momentum.text() == "[0, 1)");
  ae::RunConfig c = ae::default_config("basic");
  check_throws<ValueError>([&] { ae::set_code_size(c, 0); }, {"--latent: 0 is not in [1, 784]"});
  c.train.limit = -1;  // every image
  BOOST_CHECK_NO_THROW(ae::check_config(c, "test"));
}

// The loss, the model and the config check rho with one rule, in one wording.
BOOST_AUTO_TEST_CASE(rho_has_one_range_and_one_message) {
  const Variable h(full({4, 3}, 0.5, DType::float64));
  check_throws<ValueError>([&] { nn::kl_sparsity_loss(h, 1.0); },
                           {"kl_sparsity_loss: rho must be in (0, 1), got 1"});
  check_refused(R"({"model": "sparse", "init": "ufldl", "sparse": {"rho": 0}})",
                {", sparse: rho must be in (0, 1), got 0"});
  ae::RunConfig c = ae::default_config("sparse");
  c.options.get<ae::SparseConfig>().rho = 1.5;  // past the config's check: the model refuses it too
  Generator gen(0);
  check_throws<ValueError>([&] { ae::make_model(c, gen); },
                           {"SparseAutoencoder: rho must be in (0, 1), got 1.5"});
}

// ---------------------------------------------------------------- SGD's momentum

BOOST_AUTO_TEST_CASE(sgd_momentum_is_read_written_and_checked) {
  const std::string head = R"({"model": "basic", "init": "pytorch", "train": )";
  TempDir dir;
  write_bytes(dir.file("sgd.json"), head + R"({"optimizer": "sgd", "momentum": 0.5}})");
  const ae::RunConfig c = ae::load_config(dir.file("sgd.json"));
  BOOST_TEST(c.train.momentum == 0.5);
  const std::string written = ae::config_to_json(c);
  BOOST_TEST(written.find("\"momentum\": 0.5") != std::string::npos, written);
  BOOST_TEST(ae::parse_config(written, "written").train.momentum == 0.5);
  BOOST_TEST(ae::default_config("basic").train.momentum == 0.9);  // what sgd always used before
  check_refused(head + R"({"optimizer": "sgd", "momentum": 1}})",
                {"train.momentum: 1 is not in [0, 1)"});
  check_refused(head + R"({"optimizer": "sgd", "momentum": -0.1}})",
                {"train.momentum: -0.1 is not in [0, 1)"});
  check_refused(head + R"({"optimizer": "sgd", "momentum": "high"}})",
                {"\"momentum\" must be a number"});
}

// A momentum under another optimizer would do nothing: the user meant something else (Adam's
// beta1?), so it is refused rather than ignored, and configs of other optimizers never hold one.
BOOST_AUTO_TEST_CASE(momentum_with_another_optimizer_is_refused_naming_the_key) {
  const std::string head = R"({"model": "basic", "init": "pytorch", "train": )";
  check_refused(head + R"({"optimizer": "adam", "momentum": 0.9}})",
                {"train: \"momentum\" is a setting of the sgd optimizer, not of \"adam\""});
  check_refused(head + R"({"momentum": 0.9}})",
                {"\"momentum\"", "not of \"adam\""});  // adam by default
  check_refused(R"({"model": "sparse", "init": "ufldl", "train": {"momentum": 0.5}})",
                {"not of \"lbfgs\""});
  BOOST_TEST(ae::config_to_json(ae::default_config("basic")).find("momentum") == std::string::npos);
}

// y = w (dy/dw = 1), lr 0.1, momentum 0.5: v1 = 1, w1 = 0.9; v2 = 0.5 * 1 + 1 = 1.5, w2 = 0.75.
BOOST_AUTO_TEST_CASE(the_optimizer_factory_gives_sgd_the_configured_momentum) {
  ae::TrainConfig t;
  t.optimizer = "sgd";
  t.lr = 0.1;
  t.momentum = 0.5;
  Variable w(ones({1}, DType::float64), /*requires_grad=*/true);
  const std::unique_ptr<nn::Optimizer> optimizer = ae::make_optimizer(t, {w});
  BOOST_TEST(optimizer->name() == "SGD");
  for (int step = 0; step < 2; ++step) {
    optimizer->zero_grad();
    w.backward();
    optimizer->step();
  }
  BOOST_TEST(w.data().item() == 0.75, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_folder_given_as_config_is_named) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("run.json"));
  check_throws<FileError>([&] { ae::load_config(dir.file("run.json")); },
                          {dir.file("run.json"), "is a folder"});
}

BOOST_AUTO_TEST_CASE(defaults_per_model) {
  BOOST_TEST(ae::init_name(ae::default_config("basic").init) == "pytorch");
  BOOST_TEST(ae::init_name(ae::default_config("sparse").init) == "ufldl");
}

// ---------------------------------------------------------------- bounded input
// A configuration is at most 1 MiB, nested at most 16 levels deep, says each key once, and an
// error quotes at most 40 bytes of any value: hostile files (train --config, --resume's
// checkpoint-config.json, a model file's config.json) give one short line, never a crash.

// The message of the ValueError f throws, checked to be one short line: a 50 MB value must not
// make a 50 MB message (only the message's start is printed when it is long).
std::string short_refusal(const std::function<void()>& f, const std::vector<std::string>& parts) {
  const std::string message = check_throws<ValueError>(f, parts);
  const std::string start = message.substr(0, 300);
  BOOST_TEST(message.size() <= 300u,
             "a message of " << message.size() << " bytes: " << start << "...");
  BOOST_TEST(message.find('\n') == std::string::npos, "a message of several lines: " << start);
  return message;
}

// A config whose train.epochs is `levels` nested lists: 3 levels of nesting (the file, train,
// the list) when levels is 1.
std::string nested_epochs(std::size_t levels) {
  return R"({"model": "basic", "init": "pytorch", "train": {"epochs": )" +
         std::string(levels, '[') + std::string(levels, ']') + "}}";
}

BOOST_AUTO_TEST_CASE(a_wrong_typed_value_nested_200000_deep_is_one_line_not_a_crash) {
  // 400 KB, under the size limit: the depth limit refuses it while parsing, before anything
  // recurses over it (printing the value in the message would, once per level).
  TempDir dir;
  const std::string path = dir.file("deep.json");
  write_bytes(path, nested_epochs(200000));
  short_refusal([&] { ae::load_config(path); },
                {path + ", train.epochs[0]", "more than 16 levels"});
  // A model file's config.json member (eval, sample) goes through the same limits.
  const std::string model_file = dir.file("model.npz");
  nn::save_npz(model_file, {}, {{"config.json", nested_epochs(200000)}});
  short_refusal(
      [&] { ae::load_trained(model_file); },
      {"model file " + model_file + ", config.json, train.epochs[0]", "more than 16 levels"});
}

BOOST_AUTO_TEST_CASE(nesting_is_refused_beyond_16_levels_and_not_before) {
  // 14 lists in train.epochs are 16 levels: the parser accepts them, the reader refuses the type.
  short_refusal([] { ae::parse_config(nested_epochs(14), "config x.json"); },
                {"config x.json, train: \"epochs\" must be a whole number", "got [[[["});
  short_refusal([] { ae::parse_config(nested_epochs(15), "config x.json"); },
                {"config x.json, train.epochs[0][0][0][0][0][0][0][0][0][0][0][0][0][0]: more than "
                 "16 levels"});
  short_refusal([] { ae::parse_config(std::string(17, '['), "config x.json"); },
                {"config x.json, [0]", "more than 16 levels"});
}

BOOST_AUTO_TEST_CASE(a_config_over_1_mib_is_refused_before_it_is_read) {
  // 50 MiB in one string value, of the wrong type: refused by its size, in a short line.
  TempDir dir;
  const std::string path = dir.file("huge.json");
  const std::string head = R"({"model": "basic", "init": "pytorch", "train": {"epochs": ")",
                    tail = "\"}}";
  write_bytes(path, head + std::string(50 << 20, 'x') + tail);
  const std::string size = std::to_string(head.size() + (50 << 20) + tail.size());
  short_refusal(
      [&] { ae::load_config(path); },
      {"config " + path + ": " + size + " bytes, more than the 1 MiB a configuration may hold"});
  // The same limit for text that does not come from a file (a model file's config.json).
  const std::string text = head + std::string(1 << 20, 'x') + tail;
  short_refusal([&] { ae::parse_config(text, "model file m.npz, config.json"); },
                {"model file m.npz, config.json: " + std::to_string(text.size()) +
                 " bytes, more than the 1 MiB"});
}

BOOST_AUTO_TEST_CASE(an_error_quotes_40_bytes_of_a_long_value_and_its_size) {
  const std::string head = R"({"model": "basic", "init": "pytorch", )";
  // A value of the wrong type (its JSON text: 100000 x's and their quotes).
  short_refusal(
      [&] {
        ae::parse_config(head + R"("train": {"epochs": ")" + std::string(100000, 'x') + "\"}}",
                         "c");
      },
      {"c, train: \"epochs\" must be a whole number",
       "got \"" + std::string(39, 'x') + "... (100002 bytes)"});
  std::string list = "[";
  for (int i = 0; i < 100000; ++i) list += "1,";
  list += "1]";
  short_refusal([&] { ae::parse_config(head + R"("train": {"epochs": )" + list + "}}", "c"); },
                {"got " + list.substr(0, 40) + "... (" + std::to_string(list.size()) + " bytes)"});
  // A key no field reads, and names that no choice knows.
  short_refusal([&] { ae::parse_config(head + "\"" + std::string(100000, 'k') + "\": 1}", "c"); },
                {"c: unknown key \"" + std::string(40, 'k') + "...\" (100000 bytes)"});
  short_refusal(
      [&] {
        ae::parse_config(R"({"model": "basic", "init": ")" + std::string(100000, 'h') + "\"}", "c");
      },
      {"c: \"init\": init: unknown initialisation \"" + std::string(40, 'h') +
       "...\" (100000 bytes) (pytorch, glorot-uniform, ufldl)"});
  short_refusal(
      [&] {
        ae::parse_config(R"({"model": ")" + std::string(100000, 'm') + R"(", "init": "pytorch"})",
                         "c");
      },
      {"c: unknown model \"" + std::string(40, 'm') + "...\" (100000 bytes) (basic, deep"});
  short_refusal(
      [&] {
        ae::parse_config(head + R"("train": {"optimizer": ")" + std::string(100000, 'o') + "\"}}",
                         "c");
      },
      {"c: unknown optimizer \"" + std::string(40, 'o') +
       "...\" (100000 bytes) (adam, sgd, lbfgs)"});
  // A control character in a key is escaped: the message stays on one line.
  short_refusal([&] { ae::parse_config(head + R"("a\nb": 1})", "c"); },
                {"c: unknown key \"a\\nb\""});
}

BOOST_AUTO_TEST_CASE(a_parse_error_quotes_40_bytes_of_the_token_it_read_last) {
  // nlohmann's message quotes the whole token it last read, however long.
  const std::string head = R"({"model": "basic", "init": "pytorch", )";
  short_refusal(
      [&] {
        ae::parse_config(head + R"("train": {"lr": )" + std::string(200000, '9') + "}}", "c");
      },
      {"c: not valid JSON",
       "number overflow parsing '" + std::string(40, '9') + "... (200000 bytes)'"});
  short_refusal(
      [&] {
        ae::parse_config(head + R"("description": ")" + std::string(100000, 'd') + "\\q\"}", "c");
      },
      {"c: not valid JSON", "last read: '\"" + std::string(39, 'd') + "... (100003 bytes)'"});
}

BOOST_AUTO_TEST_CASE(a_key_said_twice_is_an_error_naming_the_object_and_the_key) {
  // nlohmann keeps the last of two equal keys: the first "epochs" would be dropped unseen.
  const std::string head = R"({"model": "basic", "init": "pytorch", )";
  short_refusal(
      [&] {
        ae::parse_config(head + R"("train": {"epochs": 1, "lr": 0.1, "epochs": 2}})",
                         "config x.json");
      },
      {"config x.json, train: the key \"epochs\" appears twice; say it once"});
  short_refusal([&] { ae::parse_config(head + R"("model": "deep"})", "config x.json"); },
                {"config x.json: the key \"model\" appears twice; say it once"});
  short_refusal(
      [&] {
        ae::parse_config(head + R"("deep": {"sizes": [784, {"a": 1, "a": 1}]}})", "config x.json");
      },
      {"config x.json, deep.sizes[1]: the key \"a\" appears twice"});
  // The same key in two objects is two keys.
  BOOST_CHECK_NO_THROW(
      ae::parse_config(head + R"("basic": {"code": 8}, "train": {"epochs": 1, "seed": 8}})", "c"));
}

BOOST_AUTO_TEST_CASE(the_parameter_limit_counts_the_vae_head_and_tied_decoders) {
  // 784-80000-784: 313762352 parameters with the logvar head (80000 x 784 + 784 more), above
  // the 2^28 = 268435456 limit; without the head it looked like 251041568, under it.
  check_refused(R"({"model": "vae", "init": "pytorch", "vae": {"hidden": 80000, "latent": 784}})",
                {"vae.hidden and vae.latent: the model would have 313762352 parameters, more than "
                 "the 268435456"});
  check_refused(R"({"model": "denoising", "init": "pytorch", "denoising": {"inner": "vae"},
                    "vae": {"hidden": 80000, "latent": 784}})",
                {"the model would have 313762352 parameters"});
  // A tied 784-150000-784 shares its weights: 235501568 parameters, not the 470701568 of two copies.
  BOOST_CHECK_NO_THROW(ae::parse_config(R"({"model": "deep", "init": "pytorch",
      "deep": {"sizes": [784, 150000, 784], "tied": true}})",
                                        "c"));
}

BOOST_AUTO_TEST_CASE(every_kind_counts_its_parameters_exactly) {
  // The count the parameter limit compares is the built model's, for every kind of the table:
  // with its defaults, as its tiny gradcheck instance, and inside a denoising model; the two
  // kinds that can tie their decoders, tied.
  std::vector<std::pair<std::string, ae::RunConfig>> configs;
  for (const std::string& name : ae::model_names()) {
    configs.emplace_back(name, ae::default_config(name));
    ae::RunConfig tiny = ae::default_config(name);
    tiny.input_size = 6;
    ae::model_kind(name).make_tiny(tiny);
    configs.emplace_back(name + " (tiny)", tiny);
    if (name == "denoising") continue;
    ae::RunConfig wrapped = ae::default_config("denoising");
    wrapped.options.get<ae::DenoisingConfig>().inner = name;
    configs.emplace_back("denoising around " + name, wrapped);
  }
  ae::RunConfig basic = ae::default_config("basic");
  basic.options.get<ae::BasicConfig>().tied = true;
  basic.options.get<ae::BasicConfig>().code_l2 = 0.1;
  configs.emplace_back("basic (tied, code_l2)", basic);
  ae::RunConfig deep = ae::default_config("deep");
  deep.options.get<ae::DeepConfig>().tied = true;
  configs.emplace_back("deep (tied)", deep);
  for (const auto& [label, c] : configs) {
    Generator gen(0);
    const double built = static_cast<double>(ae::make_model(c, gen)->parameter_count());
    BOOST_TEST(ae::model_kind(c.model).parameters(c) == built,
               label << ": counted " << std::fixed << std::setprecision(0)
                     << ae::model_kind(c.model).parameters(c) << ", built " << built);
  }
}

BOOST_AUTO_TEST_SUITE_END()
