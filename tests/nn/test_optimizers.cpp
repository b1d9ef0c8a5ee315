// The optimizers against PyTorch: every run recorded in tests/fixtures/optim_trajectories.json (by
// tests/nn/conformance/make_optim_trajectories.py) is replayed in float64 and must give
// PyTorch's parameters after every step. Then float32 smoke tests and what a step may touch
// (state dicts and option errors: test_optimizer_state.cpp).
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
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/schedule.hpp"
#include "recorded_runs.hpp"

namespace xtgrad::nn {
namespace {

using namespace recorded_runs;
using testing::check_throws;

// |xtgrad - PyTorch| <= tolerance * (1 + |PyTorch|), for every parameter after every step.
constexpr double tolerance = 1e-5;

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
// per-parameter state ("<i>.<slot>") stay float32. (L-BFGS keeps d and prev_flat_grad in float64
// and its history in the parameters' dtype: test_optimizer_state.cpp.)
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
      check_same_parameters(a, b);
      // The rate matters in this run: the same steps at the original rate end elsewhere.
      BOOST_TEST(!allclose(a.w.data(), c.w.data(), 0, 0));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace xtgrad::nn
