// fit(): it solves a linear regression; a NaN loss stops with the epoch and step; progress
// output, history.csv, checkpoints and the scheduler. (Early stopping and restore_best are in
// test_early_stopping.cpp.)
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "../support/files.hpp"
#include "../tensor/helpers.hpp"
#include "autograd/ops.hpp"
#include "disagreeing_data.hpp"
#include "nn/checkpoint.hpp"
#include "nn/fit.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "nn/optimizers.hpp"
#include "nn/schedule.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// An optimizer that never changes the weights.
class Frozen : public nn::Optimizer {
 public:
  explicit Frozen(std::vector<Variable> parameters) : Optimizer(std::move(parameters), 0.1) {}
  void step() override {}
  using Optimizer::step;
  std::string name() const override { return "Frozen"; }
  nn::StateDict state_dict() const override { return {}; }
  void load_state_dict(const nn::StateDict&) override {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(fit)

// y = x A + b + noise, x ~ N(0, I) (N, 3), noise ~ N(0, 0.01^2): fit must find W = A^T and b.
// Tolerance 0.01: the least-squares solution itself is off by about sigma / sqrt(N) = 6e-4 per
// coefficient, and SGD's mini-batch noise around it is of the same order, so 0.01 leaves a
// margin of more than 10x while staying 100x below the coefficients' size (a wrong gradient
// sign, a missed step or a skipped batch would fail it).
BOOST_AUTO_TEST_CASE(solves_a_linear_regression) {
  Generator gen(1);
  const Tensor a = tensor({{1.0, -2.0}, {0.5, 3.0}, {-1.0, 0.25}});  // (3, 2)
  const Tensor b = tensor({0.5, -1.0});                              // (2,)
  auto make = [&](std::int64_t n) {
    const Tensor x = randn({n, 3}, gen);
    return nn::TensorDataset(x, matmul(x, a) + b + normal({n, 2}, 0.0, 0.01, gen));
  };
  const nn::TensorDataset train = make(256), validation = make(64);
  Generator init(2);
  nn::Linear model(3, 2, init);
  nn::SGD optimizer(model.parameters(), 0.1);
  nn::FitOptions options;
  options.epochs = 20;
  options.batch_size = 32;
  options.progress = false;
  const nn::FitResult result = nn::fit(model, mse, optimizer, train, &validation, options);

  check_tensor(model.weight.data(), {2, 3}, {1.0, 0.5, -1.0, -2.0, 3.0, 0.25}, 0.01);  // A^T
  check_tensor(model.bias.data(), {2}, {0.5, -1.0}, 0.01);
  BOOST_TEST_REQUIRE(result.history.size() == 20u);
  BOOST_TEST(result.history.front().train_loss > 0.5);
  // What is left is the noise: its variance is 1e-4.
  BOOST_TEST(result.history.back().train_loss < 3e-4);
  BOOST_TEST(result.history.back().val_loss < 3e-4);
  BOOST_TEST(!result.stopped_early);
  BOOST_TEST(result.best_loss ==
             result.history[static_cast<std::size_t>(result.best_epoch - 1)].val_loss);
  BOOST_TEST(result.history.back().epoch == 20);
  BOOST_TEST(result.history.back().learning_rate == 0.1);
  BOOST_TEST(result.train_seconds > 0.0);
  BOOST_TEST(model.is_training());
  // evaluate() is the same weighted mean as the validation loss of the last epoch.
  BOOST_TEST(nn::evaluate(model, mse, validation, 7) == result.history.back().val_loss,
             boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(train_loss_is_the_mean_over_samples) {
  // 10 samples in batches of 4, 4 and 2: the last batch must weigh half as much as the others.
  Generator gen(3);
  const nn::TensorDataset train(randn({10, 2}, gen), randn({10, 1}, gen));
  nn::Linear model(2, 1, gen);
  Frozen frozen(model.parameters());
  nn::FitOptions options;
  options.epochs = 2;
  options.batch_size = 4;
  options.progress = false;
  const nn::FitResult result = nn::fit(model, mse, frozen, train, nullptr, options);
  const double full_batch = nn::evaluate(model, mse, train, 10);
  for (const nn::EpochRecord& r : result.history) {
    BOOST_TEST(r.train_loss == full_batch, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(std::isnan(r.val_loss));
  }
  BOOST_TEST(result.best_loss == full_batch, boost::test_tools::tolerance(1e-6));  // by train loss
}

BOOST_AUTO_TEST_CASE(evaluate_records_nothing_and_keeps_the_mode) {
  Generator gen(4);
  const nn::TensorDataset data(randn({6, 2}, gen), randn({6, 1}, gen));
  nn::Linear model(2, 1, gen);
  model.train();
  nn::evaluate(model, mse, data, 4);
  BOOST_TEST(model.is_training());
  BOOST_TEST(!model.weight.grad().defined());  // no graph was recorded, so no backward ran
  model.eval();
  nn::evaluate(model, mse, data, 4);
  BOOST_TEST(!model.is_training());
}

BOOST_AUTO_TEST_CASE(a_nan_loss_stops_training_with_the_epoch_and_step) {
  TempDir dir;
  const Disagreeing data = disagreeing_data();
  for (const double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    Generator init(11);
    nn::Linear model(1, 1, init);
    nn::SGD optimizer(model.parameters(), kLearningRate);
    int calls = 0;
    // 64 samples in batches of 16: call 7 is epoch 2, step 3.
    const nn::BatchLoss breaks = [&](nn::Module& m, const nn::Batch& batch) {
      const Variable loss = mse(m, batch);
      return ++calls == 7 ? loss * bad : loss;
    };
    nn::FitOptions options = disagreeing_options(5);
    options.history_csv = dir.file("history.csv");
    check_throws<nn::TrainingError>(
        [&] { nn::fit(model, breaks, optimizer, data.train, nullptr, options); },
        {"fit: the loss became", std::isnan(bad) ? "nan" : "inf", "at epoch 2, step 3 (of 4)",
         "learning rate"});
    BOOST_TEST(calls == 7);
    // The epoch that finished is in the history.
    std::ifstream csv(options.history_csv);
    std::stringstream text;
    text << csv.rdbuf();
    const std::vector<std::string> lines = lines_of(text.str());
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    BOOST_TEST(starts_with(lines[1], "1,"));
  }
  static_assert(std::is_base_of_v<Error, nn::TrainingError>);
}

// The last step's update can make the weights non-finite while every training loss was finite:
// here one full-batch SGD step with a rate of 1e300 overflows float32. fit() must stop, naming
// the parameter, the epoch and the step, and save neither history line nor checkpoint for it.
BOOST_AUTO_TEST_CASE(non_finite_weights_after_the_last_step_stop_training) {
  TempDir dir;
  const Disagreeing data = disagreeing_data();
  Generator init(11);
  nn::Linear model(1, 1, init);
  nn::SGD optimizer(model.parameters(), 1e300);
  nn::FitOptions options = disagreeing_options(1);
  options.batch_size = 64;  // one step per epoch
  options.history_csv = dir.file("history.csv");
  options.checkpoint_every = 1;
  options.checkpoint_path = dir.file("ckpt-{epoch}.npz");
  check_throws<nn::TrainingError>(
      [&] { nn::fit(model, mse, optimizer, data.train, nullptr, options); },
      {"fit: the parameter weight holds", "at epoch 1, step 1"});
  BOOST_TEST(!fs::exists(dir.file("ckpt-1.npz")));
  BOOST_TEST(!fs::exists(options.history_csv));
}

// A NaN in the validation data makes the validation loss NaN: fit() stops after that epoch.
BOOST_AUTO_TEST_CASE(a_non_finite_validation_loss_stops_training) {
  const Disagreeing data = disagreeing_data();
  const Tensor row = arange(0.0, 32.0).reshape({32, 1});
  const Tensor x_val =
      where(row == full({32, 1}, 5.0), full({32, 1}, std::nan("")), data.validation.inputs());
  const nn::TensorDataset poisoned(x_val, data.validation.targets());
  Generator init(11);
  nn::Linear model(1, 1, init);
  nn::SGD optimizer(model.parameters(), kLearningRate);
  check_throws<nn::TrainingError>(
      [&] { nn::fit(model, mse, optimizer, data.train, &poisoned, disagreeing_options(3)); },
      {"fit: the validation loss became nan", "at epoch 1, step 4"});
}

BOOST_AUTO_TEST_CASE(log_output_is_one_line_per_epoch) {
  const Disagreeing data = disagreeing_data();
  Generator init(11);
  nn::Linear model(1, 1, init);
  nn::SGD optimizer(model.parameters(), kLearningRate);
  std::ostringstream out;
  nn::FitOptions options = disagreeing_options(3);
  options.progress = true;
  options.out = &out;
  nn::fit(model, mse, optimizer, data.train, &data.validation, options);
  BOOST_TEST_MESSAGE("log output:\n" << out.str());
  BOOST_TEST(out.str().find('\r') == std::string::npos);
  const std::vector<std::string> lines = lines_of(out.str());
  BOOST_TEST_REQUIRE(lines.size() == 3u);
  for (int e = 1; e <= 3; ++e) {
    const std::string& line = lines[static_cast<std::size_t>(e - 1)];
    BOOST_TEST(starts_with(line, "epoch " + std::to_string(e) + "/3 train_loss "), line);
    BOOST_TEST(line.find(" val_loss ") != std::string::npos, line);
    BOOST_TEST(line.find(" lr 0.01 ") != std::string::npos, line);
    BOOST_TEST(line.find(" samples/s") != std::string::npos, line);
  }

  // Without validation data there is no val_loss; with progress = false, nothing at all.
  std::ostringstream train_only, silent;
  options.out = &train_only;
  nn::fit(model, mse, optimizer, data.train, nullptr, options);
  BOOST_TEST(lines_of(train_only.str()).size() == 3u);
  BOOST_TEST(train_only.str().find("val_loss") == std::string::npos);
  options.out = &silent;
  options.progress = false;
  nn::fit(model, mse, optimizer, data.train, nullptr, options);
  BOOST_TEST(silent.str().empty());
}

BOOST_AUTO_TEST_CASE(terminal_output_redraws_a_bar) {
  const Disagreeing data = disagreeing_data();
  Generator init(11);
  nn::Linear model(1, 1, init);
  nn::SGD optimizer(model.parameters(), kLearningRate);
  std::ostringstream out;
  nn::FitOptions options = disagreeing_options(2);
  options.progress = true;
  options.force_progress_bar = true;
  options.out = &out;
  nn::fit(model, mse, optimizer, data.train, &data.validation, options);
  BOOST_TEST_MESSAGE("terminal output:\n" << out.str());
  const std::vector<std::string> lines = lines_of(out.str());
  BOOST_TEST_REQUIRE(lines.size() == 2u);  // one finished line per epoch
  for (int e = 1; e <= 2; ++e) {
    const std::string& line = lines[static_cast<std::size_t>(e - 1)];
    const std::string epoch = "epoch " + std::to_string(e) + "/2 ";
    // The bar of the last step (always drawn), then '\r' and the summary over it.
    const auto bar = line.find("\r" + epoch + "[####################] 4/4 loss ");
    const auto summary = line.rfind("\r" + epoch + "train_loss ");
    BOOST_TEST(bar != std::string::npos, line);
    BOOST_TEST(line.find(" samples/s ETA 0:00") != std::string::npos, line);
    BOOST_TEST_REQUIRE(summary != std::string::npos, line);
    BOOST_TEST(summary > bar);
    BOOST_TEST(line.find(" val_loss ", summary) != std::string::npos, line);
  }
}

BOOST_AUTO_TEST_CASE(history_csv_is_written_after_every_epoch) {
  TempDir dir;
  const std::string path = dir.file("runs/history.csv");  // runs/ is created
  nn::FitOptions options = disagreeing_options(4);
  options.history_csv = path;
  const Run run = fit_disagreeing(options);

  std::ifstream csv(path);
  std::stringstream text;
  text << csv.rdbuf();
  const std::vector<std::string> lines = lines_of(text.str());
  BOOST_TEST_REQUIRE(lines.size() == 5u);
  BOOST_TEST(lines[0] == "epoch,train_loss,val_loss,lr,seconds,samples_per_second");
  for (std::size_t i = 0; i < 4; ++i) {
    const nn::EpochRecord& r = run.result.history[i];
    std::istringstream row(lines[i + 1]);
    std::vector<double> fields;
    for (std::string field; std::getline(row, field, ',');) fields.push_back(std::stod(field));
    BOOST_TEST_REQUIRE(fields.size() == 6u);
    BOOST_TEST(fields[0] == static_cast<double>(i + 1));
    BOOST_TEST(fields[1] == r.train_loss, boost::test_tools::tolerance(1e-7));
    BOOST_TEST(fields[2] == r.val_loss, boost::test_tools::tolerance(1e-7));
    BOOST_TEST(fields[3] == kLearningRate, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(fields[4] >= 0.0);
    BOOST_TEST(fields[5] > 0.0);
  }
  BOOST_TEST(!fs::exists(path + ".tmp"));  // renamed into place

  // Without validation data the column holds "nan" (pandas and NumPy read it as NaN).
  const Disagreeing data = disagreeing_data();
  Generator init(11);
  nn::Linear model(1, 1, init);
  nn::SGD optimizer(model.parameters(), kLearningRate);
  nn::fit(model, mse, optimizer, data.train, nullptr, options);
  std::ifstream again(path);
  std::string header, row;
  std::getline(again, header);
  std::getline(again, row);
  BOOST_TEST(row.find(",nan,") != std::string::npos, row);
}

BOOST_AUTO_TEST_CASE(checkpoints_every_n_epochs) {
  TempDir dir;
  nn::FitOptions options = disagreeing_options(5);
  options.checkpoint_every = 2;
  options.checkpoint_path = dir.file("ckpt-{epoch}.npz");
  fit_disagreeing(options);
  for (int e = 1; e <= 5; ++e) {
    const bool saved = fs::exists(dir.file("ckpt-" + std::to_string(e) + ".npz"));
    BOOST_TEST(saved == (e % 2 == 0), "epoch " << e);
  }
  // The checkpoint of epoch 4 holds the weights after 4 epochs.
  Generator gen(0);
  nn::Linear loaded(1, 1, gen);
  nn::load_checkpoint(dir.file("ckpt-4.npz"), loaded);
  BOOST_TEST(weights_of(loaded) == weights_after(4), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_scheduler_steps_once_per_epoch) {
  const Disagreeing data = disagreeing_data();
  Generator init(11);
  nn::Linear model(1, 1, init);
  nn::SGD optimizer(model.parameters(), 0.1);
  nn::StepLR scheduler(optimizer, /*step_size=*/1, /*gamma=*/0.5);
  nn::FitOptions options = disagreeing_options(3);
  options.scheduler = &scheduler;
  const nn::FitResult r = nn::fit(model, mse, optimizer, data.train, nullptr, options);
  BOOST_TEST_REQUIRE(r.history.size() == 3u);
  BOOST_TEST(r.history[0].learning_rate == 0.1,
             boost::test_tools::tolerance(1e-12));  // the rate used
  BOOST_TEST(r.history[1].learning_rate == 0.05, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.history[2].learning_rate == 0.025, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(optimizer.learning_rate() == 0.0125, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(errors) {
  const Disagreeing data = disagreeing_data();
  Generator init(11);
  nn::Linear model(1, 1, init);
  nn::SGD optimizer(model.parameters(), kLearningRate);
  auto fit_with = [&](const nn::FitOptions& options, const nn::Dataset& train,
                      const nn::Dataset* validation = nullptr) {
    nn::fit(model, mse, optimizer, train, validation, options);
  };
  nn::FitOptions options = disagreeing_options(0);
  check_throws<ValueError>([&] { fit_with(options, data.train); }, {"fit", "epochs", "0"});
  options = disagreeing_options(1);
  options.checkpoint_every = 2;
  check_throws<ValueError>([&] { fit_with(options, data.train); },
                           {"fit", "checkpoint_path", "empty"});
  options = disagreeing_options(1);
  options.batch_size = 0;
  check_throws<ValueError>([&] { fit_with(options, data.train); }, {"batch_size", "0"});
  options = disagreeing_options(1);
  options.batch_size = 100;
  options.drop_last = true;  // 64 samples: no full batch
  check_throws<ValueError>([&] { fit_with(options, data.train); },
                           {"fit", "no batch", "64", "100"});
  const nn::TensorDataset empty(zeros({0, 1}), zeros({0, 1}));
  check_throws<ValueError>([&] { fit_with(disagreeing_options(1), data.train, &empty); },
                           {"fit", "validation", "empty"});
}

// A checkpoint path's file name may hold {epoch}; its folders are a path, taken as they are.
BOOST_AUTO_TEST_CASE(epoch_placeholders_count_only_in_the_file_name) {
  TempDir dir;
  nn::FitOptions options = disagreeing_options(2);
  options.checkpoint_every = 1;
  options.checkpoint_path = dir.file("run-{epoch}/ckpt-{epoch}.npz");
  fit_disagreeing(options);
  BOOST_TEST(fs::exists(dir.file("run-{epoch}/ckpt-1.npz")));
  BOOST_TEST(fs::exists(dir.file("run-{epoch}/ckpt-2.npz")));
  BOOST_TEST(dir.entries() == std::vector<std::string>{"run-{epoch}"});
}

// Training that goes wrong without a NaN is reported: a warning line, or TrainingError when
// asked. Here the loss rises by construction (a penalty that grows with every step).
BOOST_AUTO_TEST_CASE(a_loss_rising_epoch_after_epoch_is_reported) {
  const Disagreeing data = disagreeing_data();
  auto run = [&](bool stop, std::ostream& out) {
    Generator init(11);
    nn::Linear model(1, 1, init);
    nn::SGD optimizer(model.parameters(), kLearningRate);
    double penalty = 0;
    const nn::BatchLoss rising = [&](nn::Module& m, const nn::Batch& b) {
      return mse(m, b) + (penalty += 100.0);
    };
    nn::FitOptions options = disagreeing_options(6);
    options.progress = true;
    options.out = &out;
    options.divergence.stop = stop;
    nn::fit(model, rising, optimizer, data.train, nullptr, options);
  };
  std::ostringstream out;
  run(false, out);
  int warnings = 0;
  for (const std::string& line : lines_of(out.str())) {
    if (starts_with(line, "warning: train_loss rose at 3 epoch ends in a row")) ++warnings;
  }
  BOOST_TEST(warnings == 1, out.str());  // once, when the third rise in a row is seen
  std::ostringstream ignored;
  check_throws<nn::TrainingError>([&] { run(true, ignored); },
                                  {"fit: train_loss rose at 3 epoch ends in a row", "at epoch 4"});
}

BOOST_AUTO_TEST_CASE(an_epoch_that_changes_no_weight_is_reported) {
  const Disagreeing data = disagreeing_data();
  Generator init(11);
  nn::Linear model(1, 1, init);
  nn::SGD optimizer(model.parameters(), 1e-30);  // each update is below a float's resolution
  nn::FitOptions options = disagreeing_options(2);
  std::ostringstream out;
  options.progress = true;
  options.out = &out;
  nn::fit(model, mse, optimizer, data.train, nullptr, options);
  BOOST_TEST(out.str().find("warning: epoch 1 changed no weight") != std::string::npos, out.str());
  options.divergence.stop = true;
  check_throws<nn::TrainingError>(
      [&] { nn::fit(model, mse, optimizer, data.train, nullptr, options); },
      {"fit: epoch 1 changed no weight", "learning rate far too small"});
}

BOOST_AUTO_TEST_SUITE_END()
