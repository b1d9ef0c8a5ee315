// train_and_evaluate(): what it keeps when something after training fails; load_trained():
// what it accepts as model.npz.
#include <filesystem>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "../support/bombs.hpp"
#include "../support/files.hpp"
#include "../tensor/helpers.hpp"
#include "autoencoders/experiment.hpp"
#include "nn/checkpoint.hpp"
#include "tensor/io.hpp"
#include "../support/fashion_mnist.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(experiment)

// A failure after fit() returns (here thrown where evaluation starts) must not lose the
// trained weights: model.npz and config.json are written first, and load back.
BOOST_AUTO_TEST_CASE(the_model_is_saved_before_evaluation,
                     *boost::unit_test::precondition(fashion_mnist_installed)) {
  TempDir dir;
  ae::RunConfig config = ae::default_config("basic");
  config.train.epochs = 1;
  config.train.limit = 300;
  ae::RunOptions options;
  options.out_dir = dir.file("run");
  std::ostringstream log;
  options.out = &log;
  options.on_saved = [](const std::string&) { throw ValueError("evaluation failed (test)"); };
  BOOST_CHECK_THROW(ae::train_and_evaluate(config, options), ValueError);
  BOOST_TEST_REQUIRE(fs::exists(dir.file("run/model.npz")));
  BOOST_TEST_REQUIRE(fs::exists(dir.file("run/config.json")));
  const ae::TrainedModel trained = ae::load_trained(dir.file("run/model.npz"));
  BOOST_TEST(trained.config.train.epochs == 1);
  BOOST_TEST(!fs::exists(dir.file("run/results.json")));
}

// model.npz rebuilds the model its config.json describes, so its arrays must be exactly that
// model's: names, shapes and dtypes, checked from the .npy headers before any data is
// inflated. Here one bias claims 67,108,864 floats, which a 300 KB file inflates to 256 MiB.
BOOST_AUTO_TEST_CASE(model_npz_arrays_must_be_the_models_its_config_describes) {
  ae::RunConfig config = ae::default_config("basic");
  Generator gen(0);
  const auto model = ae::make_model(config, gen);
  const nn::StateDict state = model->state_dict();
  std::string bias;  // the first 1-d array
  std::int64_t bias_size = 0;
  for (const auto& [name, tensor] : state) {
    if (tensor.dim() == 1 && bias.empty()) bias = name, bias_size = tensor.numel();
  }
  BOOST_TEST_REQUIRE(!bias.empty());
  const ZipMember config_member{"config.json", ae::config_to_json(config) + "\n"};
  // The model's members, with `replaced` instead of bias, and `extra` after them.
  auto archive = [&](const std::vector<ZipMember>& replaced, const std::vector<ZipMember>& extra) {
    std::vector<ZipMember> members;
    for (const auto& [name, tensor] : state) {
      if (name != bias) members.push_back({name + ".npy", to_npy_bytes(tensor)});
    }
    members.insert(members.end(), replaced.begin(), replaced.end());
    members.insert(members.end(), extra.begin(), extra.end());
    members.push_back(config_member);
    return zip_archive(members);
  };
  TempDir dir;
  const std::string path = dir.file("model.npz");

  write_bytes(
      path,
      archive({{bias + ".npy", npy_header("<f4", "(67108864,)"), std::uint64_t{256} << 20}}, {}));
  check_refused_cheaply([&] {
    check_throws<ShapeError>(
        [&] { ae::load_trained(path); },
        {"model file " + path, "shape mismatch for " + bias + " (checkpoint (67108864,), model (" +
                                   std::to_string(bias_size) + ",))"});
  });
  write_bytes(path, archive({}, {}));
  check_throws<FileError>([&] { ae::load_trained(path); },
                          {"model file " + path, "missing keys: " + bias});
  write_bytes(path, archive({{bias + ".npy", to_npy_bytes(*nn::find(state, bias))}},
                            {{"extra.npy", to_npy_bytes(zeros({2}))}}));
  check_throws<FileError>([&] { ae::load_trained(path); },
                          {"model file " + path, "unexpected keys: extra"});
}

BOOST_AUTO_TEST_CASE(a_model_file_with_the_old_layer_names_is_said_to_be_old) {
  // Before the deep model was two nn::Sequential stacks its arrays were encoder0.weight,
  // decoder0.bias, ...: the same numbers under names the model no longer has.
  const ae::RunConfig config = ae::default_config("deep");
  Generator gen(0);
  const auto model = ae::make_model(config, gen);
  std::vector<ZipMember> members;
  for (const auto& [name, tensor] : model->state_dict()) {
    std::string old =
        name;  // "encoder.2.weight" -> "encoder1.weight" (every other layer is an activation)
    const std::size_t dot = old.find('.'), next = old.find('.', dot + 1);
    old = old.substr(0, dot) + std::to_string(std::stoi(old.substr(dot + 1, next - dot - 1)) / 2) +
          old.substr(next);
    members.push_back({old + ".npy", to_npy_bytes(tensor)});
  }
  members.push_back({"config.json", ae::config_to_json(config) + "\n"});
  TempDir dir;
  const std::string path = dir.file("model.npz");
  write_bytes(path, zip_archive(members));
  check_throws<FileError>([&] { ae::load_trained(path); },
                          {"model file " + path, "encoder0.weight", "written by an older xtgrad",
                           "train the model again"});
}

BOOST_AUTO_TEST_SUITE_END()
