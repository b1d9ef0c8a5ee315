// The learning-rate schedules against PyTorch's schedulers: the sequences of learning rates
// recorded in tests/fixtures/optim_trajectories.json (by
// tests/nn/conformance/make_optim_trajectories.py), epoch by epoch.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <iomanip>
#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "../support/json_data.hpp"
#include "../tensor/helpers.hpp"
#include "nn/optimizers.hpp"
#include "nn/schedule.hpp"

namespace xtgrad::nn {
namespace {

using nlohmann::json;

const json& recorded_schedules() {
  static const json recorded =
      testing::read_json_data("optim_trajectories.json",
                              "tests/nn/conformance/make_optim_trajectories.py")
          .at("schedules");
  return recorded;
}

// The xtgrad scheduler of a recorded one, from PyTorch's keyword arguments.
std::unique_ptr<LRScheduler> make_scheduler(const json& entry, Optimizer& optimizer) {
  const std::string kind = entry.at("scheduler").get<std::string>();
  const json& o = entry.at("options");
  if (kind == "StepLR") {
    return std::make_unique<StepLR>(optimizer, o.at("step_size").get<std::int64_t>(),
                                    o.at("gamma").get<double>());
  }
  if (kind == "ExponentialLR") return std::make_unique<ExponentialLR>(optimizer, o.at("gamma"));
  if (kind == "CosineAnnealingLR") {
    return std::make_unique<CosineAnnealingLR>(optimizer, o.at("T_max").get<std::int64_t>(),
                                               o.at("eta_min").get<double>());
  }
  throw std::runtime_error("no xtgrad scheduler for PyTorch's " + kind);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(schedules)

// PyTorch updates the rate recursively, xtgrad in closed form: equal up to rounding.
BOOST_AUTO_TEST_CASE(learning_rates_match_pytorch) {
  BOOST_TEST_REQUIRE(recorded_schedules().size() == 3u);
  for (const json& entry : recorded_schedules()) {
    BOOST_TEST_CONTEXT(entry.at("scheduler")) {
      Variable w(zeros({1}, DType::float64), true);
      SGD optimizer({w}, entry.at("initial_lr").get<double>());
      const std::unique_ptr<LRScheduler> scheduler = make_scheduler(entry, optimizer);
      const std::vector<double> lrs = entry.at("lrs").get<std::vector<double>>();
      double worst = 0.0;
      for (std::size_t e = 0; e < lrs.size(); ++e) {
        if (e > 0) scheduler->step();
        BOOST_TEST(scheduler->epoch() == static_cast<std::int64_t>(e));
        const double lr = optimizer.learning_rate();
        worst = std::max(worst, std::abs(lr - lrs[e]) / lrs[e]);
        BOOST_TEST(std::abs(lr - lrs[e]) <= 1e-12 * lrs[e],
                   "epoch " << e << std::setprecision(17) << ": " << lr << ", PyTorch " << lrs[e]);
      }
      BOOST_TEST_MESSAGE(entry.at("scheduler") << ": worst relative error " << worst);
    }
  }
}

BOOST_AUTO_TEST_CASE(closed_forms) {
  Variable w(zeros({1}, DType::float64), true);
  SGD optimizer({w}, 1.0);
  StepLR step_lr(optimizer, 2, 0.5);  // 1, 1, 0.5, 0.5, 0.25
  std::vector<double> got;
  for (int e = 0; e < 5; ++e, step_lr.step()) got.push_back(optimizer.learning_rate());
  BOOST_TEST(got == (std::vector<double>{1, 1, 0.5, 0.5, 0.25}), boost::test_tools::per_element());

  SGD other({w}, 0.2);
  CosineAnnealingLR cosine(other, 4, 0.1);  // halfway (e = 2) is the mean of 0.2 and 0.1
  cosine.step();
  cosine.step();
  BOOST_TEST(other.learning_rate() == 0.15, boost::test_tools::tolerance(1e-15));
  cosine.step();
  cosine.step();
  BOOST_TEST(other.learning_rate() == 0.1, boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(invalid_arguments) {
  Variable w(zeros({1}, DType::float64), true);
  SGD optimizer({w}, 1.0);
  testing::check_throws<ValueError>([&] { StepLR(optimizer, 0); },
                                    {"StepLR: invalid step_size 0: must be >= 1"});
  testing::check_throws<ValueError>([&] { CosineAnnealingLR(optimizer, -3); },
                                    {"CosineAnnealingLR: invalid t_max -3"});
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace xtgrad::nn
