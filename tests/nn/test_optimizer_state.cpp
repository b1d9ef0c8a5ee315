// Optimizer state dicts (names, a complete round trip, checked loading) and the errors that
// name the optimizer and the option, on the problem PyTorch's runs were recorded on.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "recorded_runs.hpp"

namespace xtgrad::nn {
namespace {

using namespace recorded_runs;
using testing::check_throws;

}  // namespace

BOOST_AUTO_TEST_SUITE(optimizers)

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
      check_same_parameters(a, b);
    }
  }
}

// L-BFGS keeps "d" and "prev_flat_grad" in float64, and only the k pairs in use, in the
// parameters' dtype: for n parameter elements its state holds (lbfgs.cpp)
//   2 n 8  +  2 k n sizeof(dtype)  +  5 * 8 bytes
BOOST_AUTO_TEST_CASE(
    lbfgs_state_is_two_float64_vectors_and_the_pairs_in_use_in_the_parameters_dtype) {
  for (const DType dtype : {DType::float32, DType::float64}) {
    BOOST_TEST_CONTEXT(dtype_name(dtype)) {
      Problem problem(dtype);
      LBFGS lbfgs({problem.w, problem.b},
                  LBFGSOptions{0.5, 2, 3, 1e-7, 1e-9, /*history_size=*/4, false});
      for (int k = 0; k < 6; ++k) lbfgs.step(closure(lbfgs, problem));  // 12 iterations
      const StateDict state = lbfgs.state_dict();
      std::uint64_t pairs = 0, bytes = 0;
      for (const auto& [key, value] : state) {
        bytes += static_cast<std::uint64_t>(value.numel()) * dtype_size(value.dtype());
        if (key.rfind("old_dirs.", 0) == 0 || key.rfind("old_steps.", 0) == 0) {
          pairs += key[4] == 'd';
          BOOST_TEST(value.dtype() == dtype, key);
        }
      }
      BOOST_TEST(pairs == 4u);  // the last 4 of 11 pairs
      const auto n = static_cast<std::uint64_t>(problem.w.numel() + problem.b.numel());
      BOOST_TEST(bytes == 2 * n * 8 + 2 * pairs * n * dtype_size(dtype) + 5 * 8);
      BOOST_TEST(find(state, "d")->dtype() == DType::float64);
      BOOST_TEST(find(state, "prev_flat_grad")->dtype() == DType::float64);
    }
  }
}

BOOST_AUTO_TEST_CASE(load_state_dict_checks_names_and_shapes) {
  Problem problem(DType::float64);
  Adam adam({problem.w, problem.b}, 0.01);
  adam.step(closure(adam, problem));
  SGD sgd({problem.w, problem.b}, SGDOptions{0.1, 0.9});
  check_throws<ValueError>(
      [&] { sgd.load_state_dict(adam.state_dict()); },
      {"SGD: load_state_dict: unexpected keys", "\"0.exp_avg\"", "\"step\"", "momentum_buffer"});
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
  check_throws<ValueError>(
      [&] {
        SGD(params, SGDOptions{0.1, 0.0, 0.0, 0.0, true});
      },
      {"SGD: invalid momentum 0", "Nesterov"});
  check_throws<ValueError>(
      [&] {
        SGD(params, SGDOptions{0.1, 0.9, 0.1, 0.0, true});
      },
      {"SGD: invalid dampening 0.1", "Nesterov"});
  check_throws<ValueError>(
      [&] {
        SGD(params, SGDOptions{0.1, -0.9});
      },
      {"SGD: invalid momentum -0.9"});
  check_throws<ValueError>(
      [&] {
        Adam(params, AdamOptions{0.1, 1.0});
      },
      {"Adam: invalid beta1 1: must be in [0, 1)"});
  check_throws<ValueError>(
      [&] {
        AdamW(params, AdamOptions{0.1, 0.9, -0.1});
      },
      {"AdamW: invalid beta2 -0.1"});
  check_throws<ValueError>([&] { AdamW(params, 0.1, -1.0); }, {"AdamW: invalid weight_decay -1"});
  check_throws<ValueError>(
      [&] {
        Adam(params, AdamOptions{0.1, 0.9, 0.999, -1e-8});
      },
      {"Adam: invalid eps"});
  check_throws<ValueError>(
      [&] {
        RMSprop(params, RMSpropOptions{0.1, -0.5});
      },
      {"RMSprop: invalid alpha -0.5"});
  check_throws<ValueError>(
      [&] {
        Adagrad(params, AdagradOptions{0.1, -1.0});
      },
      {"Adagrad: invalid lr_decay -1"});
  check_throws<ValueError>(
      [&] {
        LBFGS(params, LBFGSOptions{1.0, 0});
      },
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
