// fit()'s early stopping (nn::EarlyStopping): training stops once the validation loss has not
// improved for `patience` epochs, and restore_best gives back the best epoch's weights. On the
// problem of disagreeing_data.hpp, whose validation loss falls for 9 epochs and then rises.
// The test cases are in the suite fit, with those of test_fit.cpp.
#include <cstddef>
#include <vector>

#include "../tensor/helpers.hpp"
#include "disagreeing_data.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// The epoch (1-based) with the lowest validation loss.
int argmin_val_loss(const nn::FitResult& result) {
  int best = 0;
  for (std::size_t i = 1; i < result.history.size(); ++i) {
    if (result.history[i].val_loss < result.history[static_cast<std::size_t>(best)].val_loss) {
      best = static_cast<int>(i);
    }
  }
  return best + 1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fit)

BOOST_AUTO_TEST_CASE(early_stopping_restores_the_best_weights) {
  nn::FitOptions options = disagreeing_options(60);
  options.early_stopping.patience = 3;
  const Run run = fit_disagreeing(options);
  const nn::FitResult& r = run.result;

  BOOST_TEST(r.stopped_early);
  BOOST_TEST_REQUIRE(r.best_epoch > 1);  // the validation loss did fall at first ...
  BOOST_TEST(r.best_epoch == argmin_val_loss(r));
  BOOST_TEST(r.history.size() ==
             static_cast<std::size_t>(r.best_epoch + 3));  // ... then rose 3 times
  BOOST_TEST(r.best_loss == r.history[static_cast<std::size_t>(r.best_epoch - 1)].val_loss);
  // The weights are those after best_epoch epochs, not after the last one.
  const std::vector<float> best = weights_after(r.best_epoch);
  BOOST_TEST(run.weights == best, boost::test_tools::per_element());
  BOOST_TEST((weights_after(static_cast<int>(r.history.size())) != best));

  // Without restore_best, training stops at the same epoch and keeps the last weights.
  options.early_stopping.restore_best = false;
  const Run kept = fit_disagreeing(options);
  BOOST_TEST(kept.result.history.size() == r.history.size());
  BOOST_TEST(kept.weights == weights_after(static_cast<int>(r.history.size())),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(restore_best_also_applies_without_stopping_early) {
  nn::FitOptions options = disagreeing_options(12);
  options.early_stopping.patience = 100;
  const Run run = fit_disagreeing(options);
  BOOST_TEST(!run.result.stopped_early);
  BOOST_TEST(run.result.history.size() == 12u);
  BOOST_TEST_REQUIRE(run.result.best_epoch < 12);
  BOOST_TEST(run.weights == weights_after(run.result.best_epoch), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(min_delta_asks_for_a_real_improvement) {
  // With a min_delta larger than any change of the validation loss, epoch 1 stays the best.
  nn::FitOptions options = disagreeing_options(30);
  options.early_stopping.patience = 2;
  options.early_stopping.min_delta = 100.0;
  const Run run = fit_disagreeing(options);
  BOOST_TEST(run.result.best_epoch == 1);
  BOOST_TEST(run.result.history.size() == 3u);
  BOOST_TEST(run.weights == weights_after(1), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
