#pragma once
// The optimizer runs that PyTorch recorded (tests/fixtures/optim_trajectories.json, made by
// tests/nn/conformance/make_optim_trajectories.py), and what the optimizer tests build from
// them: the recorded problem, each run's optimizer, and the step closure.
#include <boost/test/unit_test.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/json_data.hpp"
#include "../tensor/helpers.hpp"
#include "autograd/ops.hpp"
#include "nn/optimizers.hpp"

namespace xtgrad::nn::recorded_runs {

using nlohmann::json;
using testing::json_to_tensor;

inline const json& data() {
  static const json document = testing::read_json_data(
      "optim_trajectories.json", "tests/nn/conformance/make_optim_trajectories.py");
  return document;
}

// The recorded problem, loss = mean((tanh(X W + b) - Y)^2), in `dtype`.
struct Problem {
  Variable x, y, w, b;  // w and b: fresh parameters at the recorded start W0, b0
  explicit Problem(DType dtype)
      : x(json_to_tensor(data().at("problem").at("X")).to(dtype)),
        y(json_to_tensor(data().at("problem").at("Y")).to(dtype)),
        w(json_to_tensor(data().at("problem").at("W0")).to(dtype), true),
        b(json_to_tensor(data().at("problem").at("b0")).to(dtype), true) {}
  Variable loss() const { return mean(square(tanh(matmul(x, w) + b) - y)); }
};

// Checks that two problems' parameters are equal, element by element (bit for bit).
inline void check_same_parameters(const Problem& a, const Problem& b) {
  BOOST_TEST(a.w.data().to_vector<double>() == b.w.data().to_vector<double>(),
             boost::test_tools::per_element());
  BOOST_TEST(a.b.data().to_vector<double>() == b.b.data().to_vector<double>(),
             boost::test_tools::per_element());
}

// The optimizer of a recorded run, built from PyTorch's keyword arguments.
inline std::unique_ptr<Optimizer> make_optimizer(const json& run,
                                                 std::vector<Variable> parameters) {
  const std::string kind = run.at("optimizer").get<std::string>();
  const json& o = run.at("options");
  auto number = [&](const char* key) { return o.at(key).get<double>(); };
  if (kind == "SGD") {
    return std::make_unique<SGD>(std::move(parameters),
                                 SGDOptions{number("lr"), number("momentum"), number("dampening"),
                                            number("weight_decay"), o.at("nesterov").get<bool>()});
  }
  if (kind == "Adam" || kind == "AdamW") {
    const AdamOptions options{number("lr"), o.at("betas").at(0).get<double>(),
                              o.at("betas").at(1).get<double>(), number("eps"),
                              number("weight_decay")};
    if (kind == "AdamW") return std::make_unique<AdamW>(std::move(parameters), options);
    return std::make_unique<Adam>(std::move(parameters), options);
  }
  if (kind == "RMSprop") {
    return std::make_unique<RMSprop>(
        std::move(parameters),
        RMSpropOptions{number("lr"), number("alpha"), number("eps"), number("weight_decay"),
                       number("momentum"), o.at("centered").get<bool>()});
  }
  if (kind == "Adagrad") {
    return std::make_unique<Adagrad>(
        std::move(parameters),
        AdagradOptions{number("lr"), number("lr_decay"), number("weight_decay"),
                       number("initial_accumulator_value"), number("eps")});
  }
  if (kind == "LBFGS") {
    return std::make_unique<LBFGS>(
        std::move(parameters),
        LBFGSOptions{number("lr"), o.at("max_iter").get<int>(), o.at("max_eval").get<int>(),
                     number("tolerance_grad"), number("tolerance_change"),
                     o.at("history_size").get<int>(), o.at("line_search_fn") == "strong_wolfe"});
  }
  throw std::runtime_error("no xtgrad optimizer for PyTorch's " + kind);
}

// The closure of step(closure): clears the gradients, computes the loss, runs backward.
inline std::function<double()> closure(Optimizer& optimizer, const Problem& problem) {
  return [&optimizer, &problem] {
    optimizer.zero_grad();
    const Variable loss = problem.loss();
    loss.backward();
    return loss.item();
  };
}

// For the state dict tests: a first-order optimizer of each kind, with every slot in use.
inline std::unique_ptr<Optimizer> make_by_kind(const std::string& kind,
                                               std::vector<Variable> params) {
  for (const json& run : data().at("runs")) {
    if (run.at("optimizer") == kind) return make_optimizer(run, std::move(params));
  }
  throw std::runtime_error("no recorded run of " + kind);
}

inline const std::vector<std::string> kinds = {"SGD",     "Adam",    "AdamW",
                                               "RMSprop", "Adagrad", "LBFGS"};

}  // namespace xtgrad::nn::recorded_runs
