// Anomaly detection: the first op whose forward or backward makes a NaN or Inf out of finite
// values is named, with its inputs and the path backward took to reach it.
#include <cmath>
#include <limits>

#include "../tensor/helpers.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

BOOST_AUTO_TEST_SUITE(anomaly)

// sqrt(x) = pow(x, 0.5): its forward is 0 at x = 0, its backward 0.5 / sqrt(0) = inf.
BOOST_AUTO_TEST_CASE(names_the_backward_that_made_inf) {
  const Variable x(tensor({0.0, 4.0}), true);
  {
    DetectAnomalyGuard anomaly;
    const Variable y = sum(sqrt(x) * 3.0);
    check_throws<AutogradError>(
        [&] { y.backward(); },
        {"detect_anomaly: the backward of pow made inf out of a finite gradient",
         "for its input 0 (a leaf, float32 (2,))", "reached from the output by sum <- mul <- pow"});
  }
  // Off (the default): the same backward runs, and the gradient holds the inf.
  sum(sqrt(x) * 3.0).backward();
  BOOST_TEST(std::isinf(x.grad().data().to_vector<float>()[0]));
}

// log(x - 2) at x = 1: log makes nan from a finite input; exp carries it on and is not blamed.
BOOST_AUTO_TEST_CASE(names_the_first_forward_that_made_nan) {
  const Variable x(tensor({1.0, 3.0}), true);
  DetectAnomalyGuard anomaly;
  check_throws<AutogradError>([&] { exp(log(x - 2.0)); },
                              {"detect_anomaly: the forward of log made nan out of finite inputs",
                               "the output of add, float32 (2,)"});
  // Outside a recorded graph too (no input requires gradients).
  check_throws<AutogradError>([&] { log(Variable(tensor({-1.0}))); },
                              {"the forward of log made nan", "a constant, float32 (1,)"});
  // A NaN already in a leaf is not made by the op that reads it.
  const Variable nan_leaf(tensor({std::numeric_limits<double>::quiet_NaN()}), true);
  BOOST_CHECK_NO_THROW(exp(nan_leaf));
}

BOOST_AUTO_TEST_CASE(the_guard_restores_the_mode) {
  BOOST_TEST(!anomaly_detection_enabled());
  {
    DetectAnomalyGuard on;
    BOOST_TEST(anomaly_detection_enabled());
    {
      DetectAnomalyGuard off(false);
      BOOST_TEST(!anomaly_detection_enabled());
    }
    BOOST_TEST(anomaly_detection_enabled());
  }
  BOOST_TEST(!anomaly_detection_enabled());
}

BOOST_AUTO_TEST_SUITE_END()
