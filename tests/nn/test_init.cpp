// Initializers: ranges and moments from the formulas, fans, gains, no recording.
#include "../tensor/helpers.hpp"
#include "nn/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;
namespace init = xtgrad::nn::init;

namespace {

Variable parameter(const Shape& shape) { return Variable(zeros(shape, DType::float64), true); }
double std_of(const Variable& p) { return std::sqrt(var(p.data().flatten(), {0}).item()); }
double bound_of(const Variable& p) { return max(abs(p.data())).item(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(initializers)

BOOST_AUTO_TEST_CASE(fans_and_gains) {
  BOOST_TEST(init::fans({300, 400}).fan_in == 400);
  BOOST_TEST(init::fans({300, 400}).fan_out == 300);
  BOOST_TEST(init::fans({7}).fan_in == 7);
  BOOST_TEST(init::fans({8, 4, 3, 3}).fan_in == 36);
  BOOST_TEST(init::calculate_gain("relu") == std::sqrt(2.0));
  BOOST_TEST(init::calculate_gain("tanh") == 5.0 / 3.0);
  BOOST_TEST(init::calculate_gain("leaky_relu", 0.2) == std::sqrt(2.0 / 1.04));
  check_throws<ValueError>([] { init::calculate_gain("swish"); }, {"swish"});
}

BOOST_AUTO_TEST_CASE(uniform_initializers_reach_their_bounds) {
  Generator gen(1);
  const Shape shape{300, 400};
  const double sum_fans = 700;
  struct Case {
    std::string name;
    std::function<void(Variable)> fill;
    double bound;
  };
  const std::vector<Case> cases = {
      {"xavier_uniform", [&](Variable p) { init::xavier_uniform_(p, gen); },
       std::sqrt(6 / sum_fans)},
      {"kaiming_uniform relu",
       [&](Variable p) { init::kaiming_uniform_(p, gen, 0, init::FanMode::fan_in, "relu"); },
       std::sqrt(3.0) * std::sqrt(2.0) / 20},
      {"kaiming_uniform fan_out",
       [&](Variable p) { init::kaiming_uniform_(p, gen, 0, init::FanMode::fan_out, "relu"); },
       std::sqrt(3.0) * std::sqrt(2.0) / std::sqrt(300.0)},
      {"lecun_uniform", [&](Variable p) { init::lecun_uniform_(p, gen); }, std::sqrt(3.0 / 400)},
      {"ufldl_uniform", [&](Variable p) { init::ufldl_uniform_(p, gen); },
       std::sqrt(6.0) / std::sqrt(701.0)},
      {"uniform", [&](Variable p) { init::uniform_(p, -0.3, 0.3, gen); }, 0.3},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Variable p = parameter(shape);
      c.fill(p);
      BOOST_TEST(bound_of(p) <= c.bound);
      BOOST_TEST(bound_of(p) > 0.999 * c.bound);  // 120000 draws reach the edge
      BOOST_TEST(std::abs(std_of(p) - c.bound / std::sqrt(3.0)) < 0.01 * c.bound);
    }
  }
}

BOOST_AUTO_TEST_CASE(normal_initializers_have_their_std) {
  Generator gen(2);
  const Shape shape{300, 400};
  struct Case {
    std::string name;
    std::function<void(Variable)> fill;
    double std;
  };
  const std::vector<Case> cases = {
      {"xavier_normal", [&](Variable p) { init::xavier_normal_(p, gen, 2.0); },
       2.0 * std::sqrt(2.0 / 700)},
      {"kaiming_normal",
       [&](Variable p) { init::kaiming_normal_(p, gen, 0, init::FanMode::fan_in, "relu"); },
       std::sqrt(2.0) / 20},
      {"lecun_normal", [&](Variable p) { init::lecun_normal_(p, gen); }, 1.0 / 20},
      {"normal", [&](Variable p) { init::normal_(p, 0.0, 0.02, gen); }, 0.02},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Variable p = parameter(shape);
      c.fill(p);
      BOOST_TEST(std::abs(std_of(p) - c.std) < 0.01 * c.std);
      BOOST_TEST(std::abs(mean(p.data()).item()) < 0.01 * c.std);
    }
  }
}

BOOST_AUTO_TEST_CASE(constants_and_no_recording) {
  Variable p = parameter({2, 3});
  init::constant_(p, 0.5);
  check_tensor(p.data(), {2, 3}, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
  init::zeros_(p);
  check_tensor(p.data(), {2, 3}, {0, 0, 0, 0, 0, 0});
  BOOST_TEST(p.is_leaf());  // still a leaf: nothing was recorded
  BOOST_TEST(!p.grad().defined());
  Generator gen(3);
  Variable q(zeros({4, 4}), true);  // float32 parameters stay float32
  init::xavier_uniform_(q, gen);
  BOOST_TEST(q.dtype() == DType::float32);
}

BOOST_AUTO_TEST_SUITE_END()
