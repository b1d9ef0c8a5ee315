// fit() interrupted and resumed: a run stopped after any step and continued from its
// checkpoint ends with the same weights, bit for bit, as a run that never stopped.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "../support/files.hpp"
#include "helpers.hpp"
#include "disagreeing_data.hpp"
#include "nn/checkpoint.hpp"
#include "nn/dropout.hpp"
#include "nn/sequential.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// A model with a generator of its own (dropout), Adam (state per parameter), a schedule and
// shuffled batches: everything a checkpoint must carry over. 64 samples in batches of 16: 4
// steps per epoch, 12 in all.
constexpr int kEpochs = 3;

struct Training {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<nn::Adam> optimizer;
  std::unique_ptr<nn::StepLR> scheduler;

  explicit Training(std::uint64_t init_seed) {
    Generator init(init_seed);
    model = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        std::make_shared<nn::Linear>(1, 8, init), std::make_shared<nn::Dropout>(0.25, 7),
        std::make_shared<nn::Linear>(8, 1, init)});
    optimizer = std::make_unique<nn::Adam>(model->parameters(), 0.05);
    scheduler = std::make_unique<nn::StepLR>(*optimizer, 1, 0.5);
  }

  nn::FitResult fit(nn::FitOptions options) {
    const Disagreeing data = disagreeing_data();
    options.scheduler = scheduler.get();
    return nn::fit(*model, mse, *optimizer, data.train, &data.validation, options);
  }
};

nn::FitOptions options_for(const TempDir& dir) {
  nn::FitOptions options = disagreeing_options(kEpochs);
  options.checkpoint_path = dir.file("checkpoint.npz");
  return options;
}

// The bytes of every weight, by name.
std::vector<std::pair<std::string, std::string>> weight_bytes(const nn::Module& model) {
  std::vector<std::pair<std::string, std::string>> bytes;
  for (const auto& [name, tensor] : model.state_dict()) {
    const float* data = tensor.data<float>();
    bytes.emplace_back(
        name, std::string(reinterpret_cast<const char*>(data), sizeof(float) * tensor.numel()));
  }
  return bytes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(resume)

BOOST_AUTO_TEST_CASE(a_resumed_fit_is_bit_identical_to_an_uninterrupted_one) {
  Training whole(1);
  const nn::FitResult reference = whole.fit(disagreeing_options(kEpochs));
  // Stopped mid-epoch (1, 3, 5, 10), at an epoch's end (4, 8): every path through the loop.
  for (const std::int64_t stop_after : {1, 3, 4, 5, 8, 10}) {
    BOOST_TEST_CONTEXT("stopped after step " << stop_after) {
      TempDir dir;
      nn::FitOptions options = options_for(dir);
      options.stop_after_steps = stop_after;
      Training first(1);
      check_throws<nn::TrainingInterrupted>(
          [&] { first.fit(options); },
          {"fit: interrupted after epoch", dir.file("checkpoint.npz")});
      // Other initial weights and a fresh optimizer: all that matters must come from the file.
      Training second(99);
      nn::FitOptions resumed = options_for(dir);
      resumed.resume_from = dir.file("checkpoint.npz");
      const nn::FitResult result = second.fit(resumed);
      BOOST_TEST(weight_bytes(*second.model) == weight_bytes(*whole.model));
      BOOST_TEST(second.optimizer->learning_rate() == whole.optimizer->learning_rate());
      BOOST_TEST_REQUIRE(result.history.size() == reference.history.size());
      for (std::size_t e = 0; e < result.history.size(); ++e) {
        BOOST_TEST(result.history[e].train_loss == reference.history[e].train_loss);
        BOOST_TEST(result.history[e].val_loss == reference.history[e].val_loss);
        BOOST_TEST(result.history[e].learning_rate == reference.history[e].learning_rate);
      }
    }
  }
}

// Interrupted twice (the stop flag this time), resumed twice.
BOOST_AUTO_TEST_CASE(a_fit_resumed_twice_is_bit_identical) {
  Training whole(1);
  whole.fit(disagreeing_options(kEpochs));
  TempDir dir;
  std::atomic<bool> stop{false};
  nn::FitOptions options = options_for(dir);
  options.stop = &stop;
  Training run(1);
  const nn::BatchLoss raise_at_call_6 = [&, calls = 0](nn::Module& m, const nn::Batch& b) mutable {
    if (++calls == 6) stop = true;
    return mse(m, b);
  };
  const Disagreeing data = disagreeing_data();
  options.scheduler = run.scheduler.get();
  BOOST_CHECK_THROW(
      nn::fit(*run.model, raise_at_call_6, *run.optimizer, data.train, &data.validation, options),
      nn::TrainingInterrupted);
  stop = false;
  Training again(2);
  nn::FitOptions second = options_for(dir);
  second.resume_from = dir.file("checkpoint.npz");
  second.stop_after_steps = 3;  // steps 7 to 9: stops mid-epoch 3
  BOOST_CHECK_THROW(again.fit(second), nn::TrainingInterrupted);
  Training last(3);
  nn::FitOptions third = options_for(dir);
  third.resume_from = dir.file("checkpoint.npz");
  last.fit(third);
  BOOST_TEST(weight_bytes(*last.model) == weight_bytes(*whole.model));
}

// L-BFGS, full batch: its flat vectors (float64) and its history (float32, the model's dtype)
// are saved as they are held, so a resumed fit takes the very same steps.
BOOST_AUTO_TEST_CASE(a_resumed_lbfgs_fit_is_bit_identical) {
  struct LbfgsTraining {
    std::shared_ptr<nn::Sequential> model;
    std::unique_ptr<nn::LBFGS> optimizer;
    explicit LbfgsTraining(std::uint64_t init_seed) {
      Generator init(init_seed);
      model = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
          std::make_shared<nn::Linear>(1, 8, init), std::make_shared<nn::Linear>(8, 1, init)});
      optimizer = std::make_unique<nn::LBFGS>(model->parameters(),
                                              nn::LBFGSOptions{0.5, 5, 7, 1e-7, 1e-9, 4});
    }
    void fit(nn::FitOptions options) {
      const Disagreeing data = disagreeing_data();
      options.batch_size = 64;  // one step, 5 L-BFGS iterations, per epoch
      nn::fit(*model, mse, *optimizer, data.train, &data.validation, options);
    }
  };
  LbfgsTraining whole(1);
  whole.fit(disagreeing_options(4));
  for (const std::int64_t stop_after : {1, 2, 3}) {
    BOOST_TEST_CONTEXT("stopped after step " << stop_after) {
      TempDir dir;
      nn::FitOptions options = disagreeing_options(4);
      options.checkpoint_path = dir.file("checkpoint.npz");
      options.stop_after_steps = stop_after;
      LbfgsTraining first(1);
      BOOST_CHECK_THROW(first.fit(options), nn::TrainingInterrupted);
      LbfgsTraining second(99);
      options.stop_after_steps = 0;
      options.resume_from = dir.file("checkpoint.npz");
      second.fit(options);
      BOOST_TEST(weight_bytes(*second.model) == weight_bytes(*whole.model));
      // d and prev_flat_grad too, to the bit: a history held finer than it is saved would
      // change them, though float32 weights may round the difference away.
      check_identical(second.optimizer->state_dict(), whole.optimizer->state_dict());
    }
  }
}

BOOST_AUTO_TEST_CASE(resuming_with_another_batch_size_is_refused) {
  TempDir dir;
  nn::FitOptions options = options_for(dir);
  options.stop_after_steps = 2;
  Training first(1);
  BOOST_CHECK_THROW(first.fit(options), nn::TrainingInterrupted);
  Training second(1);
  nn::FitOptions resumed = options_for(dir);
  resumed.batch_size = 32;
  resumed.resume_from = dir.file("checkpoint.npz");
  check_throws<ValueError>([&] { second.fit(resumed); },
                           {"cannot resume from", "4 steps per epoch", "has 2"});
}

BOOST_AUTO_TEST_SUITE_END()
