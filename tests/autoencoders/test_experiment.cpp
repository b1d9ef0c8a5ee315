// train_and_evaluate(): what it keeps when something after training fails.
#include <filesystem>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "../support/files.hpp"
#include "autoencoders/experiment.hpp"
#include "nn/checkpoint.hpp"
#include "../support/fashion_mnist.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(experiment)

// A failure after fit() returns (here thrown where evaluation starts) must not lose the
// trained weights: model.npz and config.json are written first, and load back.
BOOST_AUTO_TEST_CASE(the_model_is_saved_before_evaluation, *boost::unit_test::precondition(fashion_mnist_installed)) {
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

BOOST_AUTO_TEST_SUITE_END()
