// The optimizers against PyTorch: every run recorded in tests/fixtures/optim_trajectories.json (by
// tests/nn/conformance/make_optim_trajectories.py) is replayed in float64 and must give
// PyTorch's parameters after every step. Then float32 smoke tests, state dicts and errors.
//
//   test_nn --run_test=optimizers --log_level=message    (also prints the worst errors)
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <iomanip>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/json_data.hpp"
#include "../tensor/helpers.hpp"
#include "autograd/ops.hpp"
#include "nn/optimizers.hpp"
#include "nn/schedule.hpp"

namespace xtgrad::nn {
namespace {

using nlohmann::json;
using testing::check_throws;
using testing::json_to_tensor;

// |xtgrad - PyTorch| <= tolerance * (1 + |PyTorch|), for every parameter after every step.
constexpr double tolerance = 1e-5;

const json& data() {
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

// The optimizer of a recorded run, built from PyTorch's keyword arguments.
std::unique_ptr<Optimizer> make_optimizer(const json& run, std::vector<Variable> parameters) {
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
        std::move(parameters), AdagradOptions{number("lr"), number("lr_decay"),
                                              number("weight_decay"),
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
std::function<double()> closure(Optimizer& optimizer, const Problem& problem) {
  return [&optimizer, &problem] {
    optimizer.zero_grad();
    const Variable loss = problem.loss();
    loss.backward();
    return loss.item();
  };
}

// Compares `got` with PyTorch's `want`; returns the largest relative error |got - want| / |want|.
double check_close(const std::string& what, const Tensor& got, const json& want_json) {
  const Tensor want = json_to_tensor(want_json);
  BOOST_TEST_REQUIRE(shape_str(got.shape()) == shape_str(want.shape()));
  const std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  double worst = 0.0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const double error = std::abs(g[i] - w[i]);
    worst = std::max(worst, error / std::max(std::abs(w[i]), 1e-300));
    BOOST_TEST(error <= tolerance * (1 + std::abs(w[i])),
               what << ", element " << i << std::setprecision(17) << ": xtgrad " << g[i]
                    << ", PyTorch " << w[i]);
  }
  return worst;
}

// Replays every recorded run of the optimizer `kind` step by step (float64).
void replay(const std::string& kind) {
  int replayed = 0;
  for (const json& run : data().at("runs")) {
    if (run.at("optimizer") != kind) continue;
    const std::string name = run.at("name").get<std::string>();
    BOOST_TEST_CONTEXT("run '" << name << "'") {
      Problem problem(DType::float64);
      const std::unique_ptr<Optimizer> optimizer = make_optimizer(run, {problem.w, problem.b});
      BOOST_TEST(optimizer->name() == kind);
      double worst = 0.0;
      const json& losses = run.at("losses");
      for (std::size_t k = 0; k < losses.size(); ++k) {
        const double loss = optimizer->step(closure(*optimizer, problem));
        const json& params = run.at("params").at(k);
        const std::string step = "step " + std::to_string(k + 1);
        BOOST_TEST(std::abs(loss - losses[k].get<double>()) <=
                       tolerance * (1 + std::abs(losses[k].get<double>())),
                   step << ": loss " << loss << ", PyTorch " << losses[k]);
        worst = std::max(worst, check_close(step + ", W", problem.w.data(), params.at("W")));
        worst = std::max(worst, check_close(step + ", b", problem.b.data(), params.at("b")));
      }
      if (kind == "LBFGS") {
        const auto& lbfgs = dynamic_cast<const LBFGS&>(*optimizer);
        BOOST_TEST(lbfgs.evaluations() == run.at("func_evals").get<std::int64_t>());
        BOOST_TEST(lbfgs.iterations() == run.at("n_iter").get<std::int64_t>());
      }
      BOOST_TEST_MESSAGE(name << ": worst relative error " << worst << " over " << losses.size()
                              << " steps");
      ++replayed;
    }
  }
  BOOST_TEST(replayed > 0, "no recorded run of " << kind);
}

// For the state dict tests: a first-order optimizer of each kind, with every slot in use.
std::unique_ptr<Optimizer> make_by_kind(const std::string& kind, std::vector<Variable> params) {
  for (const json& run : data().at("runs")) {
    if (run.at("optimizer") == kind) return make_optimizer(run, std::move(params));
  }
  throw std::runtime_error("no recorded run of " + kind);
}

const std::vector<std::string> kinds = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "LBFGS"};

}  // namespace

BOOST_AUTO_TEST_SUITE(optimizers)

// --- PyTorch's trajectories (float64) ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_recorded_run_has_an_optimizer) {
  std::set<std::string> names;
  for (const json& run : data().at("runs")) {
    const std::string kind = run.at("optimizer").get<std::string>();
    BOOST_TEST((std::find(kinds.begin(), kinds.end(), kind) != kinds.end()),
               "run " << run.at("name") << " uses " << kind << ", which no test replays");
    BOOST_TEST(names.insert(run.at("name").get<std::string>()).second, "duplicate run name");
  }
}

BOOST_AUTO_TEST_CASE(sgd_matches_pytorch) { replay("SGD"); }
BOOST_AUTO_TEST_CASE(adam_matches_pytorch) { replay("Adam"); }
BOOST_AUTO_TEST_CASE(adamw_matches_pytorch) { replay("AdamW"); }
BOOST_AUTO_TEST_CASE(rmsprop_matches_pytorch) { replay("RMSprop"); }
BOOST_AUTO_TEST_CASE(adagrad_matches_pytorch) { replay("Adagrad"); }
BOOST_AUTO_TEST_CASE(lbfgs_matches_pytorch) { replay("LBFGS"); }

// --- float32 -------------------------------------------------------------------------------------

// Every recorded configuration, in float32: the loss goes down, and the parameters and the
// per-parameter state ("<i>.<slot>") stay float32. (L-BFGS keeps its flat vectors in float64.)
BOOST_AUTO_TEST_CASE(float32_loss_decreases) {
  for (const json& run : data().at("runs")) {
    BOOST_TEST_CONTEXT("run " << run.at("name")) {
      Problem problem(DType::float32);
      const std::unique_ptr<Optimizer> optimizer = make_optimizer(run, {problem.w, problem.b});
      const double initial = problem.loss().item();
      for (std::size_t k = 0; k < run.at("losses").size(); ++k) {
        optimizer->step(closure(*optimizer, problem));
      }
      const double final_loss = problem.loss().item();
      BOOST_TEST(final_loss < 0.5 * initial, "loss " << initial << " -> " << final_loss);
      BOOST_TEST(problem.w.dtype() == DType::float32);
      for (const auto& [key, value] : optimizer->state_dict()) {
        if (std::isdigit(key[0])) BOOST_TEST(value.dtype() == DType::float32, key);
      }
    }
  }
}

// --- what a step does and does not do ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(step_updates_in_place_without_recording) {
  for (const std::string& kind : kinds) {
    BOOST_TEST_CONTEXT(kind) {
      Problem problem(DType::float64);
      const Tensor w_storage = problem.w.data();
      const std::uint64_t version = w_storage.version();
      const std::unique_ptr<Optimizer> optimizer = make_by_kind(kind, {problem.w, problem.b});
      optimizer->step(closure(*optimizer, problem));
      BOOST_TEST(problem.w.data().shares_storage(w_storage));
      BOOST_TEST(w_storage.version() > version);
      BOOST_TEST(problem.w.is_leaf());
      BOOST_TEST(problem.w.requires_grad());
    }
  }
}

// A graph that saved a parameter cannot run backward after a step changed it (as in PyTorch).
BOOST_AUTO_TEST_CASE(backward_through_a_graph_saved_before_a_step_fails) {
  Problem problem(DType::float64);
  SGD optimizer({problem.w, problem.b}, 0.1);
  const Variable loss = problem.loss();  // matmul saved w
  loss.backward(Variable(), /*retain_graph=*/true);
  optimizer.step();
  check_throws<AutogradError>([&] { loss.backward(); }, {"modified in place"});
}

BOOST_AUTO_TEST_CASE(parameters_without_a_gradient_are_skipped) {
  for (const char* kind : {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad"}) {
    BOOST_TEST_CONTEXT(kind) {
      Problem problem(DType::float64);
      Variable frozen(zeros({2}, DType::float64) + 1.0, true);
      const std::unique_ptr<Optimizer> optimizer =
          make_by_kind(kind, {problem.w, frozen, problem.b});
      optimizer->step(closure(*optimizer, problem));  // frozen takes no part in the loss
      testing::check_tensor(frozen.data(), {2}, {1.0, 1.0}, 0.0);
      for (const auto& [key, value] : optimizer->state_dict()) {
        BOOST_TEST(key.rfind("1.", 0) != 0, key << ": no state for a skipped parameter");
      }
    }
  }
}

// The default step(closure) turns gradients on for the closure, as PyTorch's does.
BOOST_AUTO_TEST_CASE(step_with_closure_records_even_under_no_grad) {
  Problem problem(DType::float64);
  Adam optimizer({problem.w, problem.b}, 0.01);
  const double expected = problem.loss().item();
  NoGradGuard no_grad;
  BOOST_TEST(optimizer.step(closure(optimizer, problem)) == expected);
  BOOST_TEST(problem.w.grad().defined());
  BOOST_TEST(!grad_enabled());
}

// --- the learning rate ---------------------------------------------------------------------------

// One live rate: A is built with lr and halved by a schedule before its first step; B is built
// with lr / 2. Both take the same steps and must end identical: step() reads the rate the
// schedule set (checkpoints set it the same way), not the one the optimizer was built with.
BOOST_AUTO_TEST_CASE(steps_use_the_scheduled_learning_rate) {
  for (const json& run : data().at("runs")) {
    BOOST_TEST_CONTEXT("run " << run.at("name")) {
      json halved = run;
      halved["options"]["lr"] = run.at("options").at("lr").get<double>() / 2;
      Problem a(DType::float64), b(DType::float64), c(DType::float64);
      const std::unique_ptr<Optimizer> opt_a = make_optimizer(run, {a.w, a.b});
      const std::unique_ptr<Optimizer> opt_b = make_optimizer(halved, {b.w, b.b});
      const std::unique_ptr<Optimizer> opt_c = make_optimizer(run, {c.w, c.b});  // not halved
      StepLR schedule(*opt_a, /*step_size=*/1, /*gamma=*/0.5);
      schedule.step();
      BOOST_TEST(opt_a->learning_rate() == opt_b->learning_rate());
      for (int k = 0; k < 2; ++k) {
        opt_a->step(closure(*opt_a, a));
        opt_b->step(closure(*opt_b, b));
        opt_c->step(closure(*opt_c, c));
      }
      BOOST_TEST(a.w.data().to_vector<double>() == b.w.data().to_vector<double>(),
                 boost::test_tools::per_element());
      BOOST_TEST(a.b.data().to_vector<double>() == b.b.data().to_vector<double>(),
                 boost::test_tools::per_element());
      // The rate matters in this run: the same steps at the original rate end elsewhere.
      BOOST_TEST(!allclose(a.w.data(), c.w.data(), 0, 0));
    }
  }
}

// --- state dicts ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(state_dict_names) {
  Problem problem(DType::float64);
  Adam adam({problem.w, problem.b}, 0.01);
  nn::StateDict state = adam.state_dict();
  BOOST_TEST_REQUIRE(state.size() == 1u);  // nothing allocated before the first step
  BOOST_TEST(state[0].first == "step");
  adam.step(closure(adam, problem));
  adam.step(closure(adam, problem));
  std::vector<std::string> names;
  for (const auto& [key, value] : adam.state_dict()) names.push_back(key);
  BOOST_TEST(names == (std::vector<std::string>{"0.exp_avg", "1.exp_avg", "0.exp_avg_sq",
                                                "1.exp_avg_sq", "step"}),
             boost::test_tools::per_element());
  const Tensor step = *find(adam.state_dict(), "step");
  BOOST_TEST(step.dim() == 0);
  BOOST_TEST(step.dtype() == DType::int64);
  BOOST_TEST(step.item() == 2.0);
  BOOST_TEST(shape_str(find(adam.state_dict(), "0.exp_avg")->shape()) == "(3, 4)");

  SGD sgd({problem.w, problem.b}, SGDOptions{0.1, 0.9});
  sgd.step(closure(sgd, problem));
  BOOST_TEST(find(sgd.state_dict(), "1.momentum_buffer") != nullptr);
}

// A runs 3 steps; B, on a copy of A's parameters, loads A's state; both run 3 more steps and
// end with identical parameters (so the state is complete, and B does not share A's buffers).
BOOST_AUTO_TEST_CASE(state_dict_round_trip) {
  for (const json& run : data().at("runs")) {
    BOOST_TEST_CONTEXT("run " << run.at("name")) {
      Problem a(DType::float64), b(DType::float64);
      const std::unique_ptr<Optimizer> opt_a = make_optimizer(run, {a.w, a.b});
      const std::unique_ptr<Optimizer> opt_b = make_optimizer(run, {b.w, b.b});
      for (int k = 0; k < 3; ++k) opt_a->step(closure(*opt_a, a));
      b.w.data().copy_(a.w.data());
      b.b.data().copy_(a.b.data());
      opt_b->load_state_dict(opt_a->state_dict());
      for (int k = 0; k < 3; ++k) {
        opt_a->step(closure(*opt_a, a));
        opt_b->step(closure(*opt_b, b));
      }
      BOOST_TEST(a.w.data().to_vector<double>() == b.w.data().to_vector<double>(),
                 boost::test_tools::per_element());
      BOOST_TEST(a.b.data().to_vector<double>() == b.b.data().to_vector<double>(),
                 boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(load_state_dict_checks_names_and_shapes) {
  Problem problem(DType::float64);
  Adam adam({problem.w, problem.b}, 0.01);
  adam.step(closure(adam, problem));
  SGD sgd({problem.w, problem.b}, SGDOptions{0.1, 0.9});
  check_throws<ValueError>([&] { sgd.load_state_dict(adam.state_dict()); },
                           {"SGD: load_state_dict: unexpected keys", "\"0.exp_avg\"", "\"step\"",
                            "momentum_buffer"});
  nn::StateDict wrong = {{"0.momentum_buffer", zeros({4}, DType::float64)}};
  check_throws<ShapeError>([&] { sgd.load_state_dict(wrong); },
                           {"SGD", "\"0.momentum_buffer\" has shape (4,)", "(3, 4)"});
  nn::StateDict beyond = {{"2.momentum_buffer", zeros({4}, DType::float64)}};
  check_throws<ValueError>([&] { sgd.load_state_dict(beyond); }, {"\"2.momentum_buffer\""});
}

// --- errors --------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(invalid_options_name_the_optimizer_and_the_option) {
  Problem p(DType::float64);
  const std::vector<Variable> params = {p.w, p.b};
  check_throws<ValueError>([&] { SGD(params, -0.1); }, {"SGD: invalid lr -0.1: must be >= 0"});
  check_throws<ValueError>([&] { SGD(params, SGDOptions{0.1, 0.0, 0.0, 0.0, true}); },
                           {"SGD: invalid momentum 0", "Nesterov"});
  check_throws<ValueError>([&] { SGD(params, SGDOptions{0.1, 0.9, 0.1, 0.0, true}); },
                           {"SGD: invalid dampening 0.1", "Nesterov"});
  check_throws<ValueError>([&] { SGD(params, SGDOptions{0.1, -0.9}); },
                           {"SGD: invalid momentum -0.9"});
  check_throws<ValueError>([&] { Adam(params, AdamOptions{0.1, 1.0}); },
                           {"Adam: invalid beta1 1: must be in [0, 1)"});
  check_throws<ValueError>([&] { AdamW(params, AdamOptions{0.1, 0.9, -0.1}); },
                           {"AdamW: invalid beta2 -0.1"});
  check_throws<ValueError>([&] { AdamW(params, 0.1, -1.0); }, {"AdamW: invalid weight_decay -1"});
  check_throws<ValueError>([&] { Adam(params, AdamOptions{0.1, 0.9, 0.999, -1e-8}); },
                           {"Adam: invalid eps"});
  check_throws<ValueError>([&] { RMSprop(params, RMSpropOptions{0.1, -0.5}); },
                           {"RMSprop: invalid alpha -0.5"});
  check_throws<ValueError>([&] { Adagrad(params, AdagradOptions{0.1, -1.0}); },
                           {"Adagrad: invalid lr_decay -1"});
  check_throws<ValueError>([&] { LBFGS(params, LBFGSOptions{1.0, 0}); },
                           {"LBFGS: invalid max_iter 0"});
}

BOOST_AUTO_TEST_CASE(other_errors) {
  Problem p(DType::float64);
  check_throws<ValueError>([&] { SGD({}, 0.1); }, {"optimizer got an empty parameter list"});
  check_throws<ValueError>([&] { SGD({p.w * 2.0}, 0.1); }, {"parameter 0", "not a leaf"});
  SGD sgd({p.w}, 0.1);
  check_throws<ValueError>([&] { sgd.set_learning_rate(-1.0); }, {"SGD: invalid lr -1"});
  LBFGS lbfgs({p.w, p.b}, LBFGSOptions{});
  check_throws<ValueError>([&] { lbfgs.step(); }, {"LBFGS", "closure"});
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace xtgrad::nn
