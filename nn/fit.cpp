// fit(): the training loop, with validation, history, checkpoints and early stopping.
//
// One epoch:
//   model.train()
//   for each batch:  optimizer.step(closure), the closure doing zero_grad -> loss -> backward
//   validation loss (eval mode, no gradients), then: progress line, history.csv, checkpoint,
//   scheduler step, early stopping.
#include "nn/fit.hpp"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <functional>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>
#include <utility>

#include "nn/checkpoint.hpp"
#include "nn/fit_state.hpp"
#include "nn/progress.hpp"
#include "tensor/files.hpp"
#include "tensor/math.hpp"
#include "tensor/reduce.hpp"

namespace xtgrad::nn {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check_options(const FitOptions& options, const Dataset* validation) {
  auto fail = [](const std::string& what) { throw ValueError("fit: " + what); };
  if (options.epochs <= 0) fail("epochs must be positive, got " + std::to_string(options.epochs));
  if (options.checkpoint_every < 0) {
    fail("checkpoint_every must not be negative, got " + std::to_string(options.checkpoint_every));
  }
  if (options.checkpoint_every > 0 && options.checkpoint_path.empty()) {
    fail("checkpoint_every is " + std::to_string(options.checkpoint_every) +
         " but checkpoint_path is empty");
  }
  if (!(options.checkpoint_seconds >= 0)) {
    fail("checkpoint_seconds must not be negative, got " +
         std::to_string(options.checkpoint_seconds));
  }
  if (options.checkpoint_seconds > 0 && options.checkpoint_path.empty()) {
    fail("checkpoint_seconds is " + std::to_string(options.checkpoint_seconds) +
         " but checkpoint_path is empty");
  }
  if (options.early_stopping.patience < 0 || options.early_stopping.min_delta < 0) {
    fail("early stopping needs patience >= 0 and min_delta >= 0, got " +
         std::to_string(options.early_stopping.patience) + " and " +
         std::to_string(options.early_stopping.min_delta));
  }
  if (validation != nullptr && validation->size() == 0) fail("the validation set is empty");
}

// Creates the folder that will hold `path` (e.g. runs/basic/ for runs/basic/history.csv).
void make_parent_directory(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    throw FileError("fit: cannot create the directory " + parent.string() + " for " + path + ": " +
                    error.message());
  }
}

// The whole history, rewritten after every epoch through a temporary file and a rename (atomic
// on POSIX), so that a crash or Ctrl-C leaves the epochs done so far, never a half-written line.
void write_history(const std::string& path, const std::vector<EpochRecord>& history) {
  make_parent_directory(path);
  std::ostringstream csv;
  csv << "epoch,train_loss,val_loss,lr,seconds,samples_per_second\n" << std::setprecision(9);
  for (const EpochRecord& r : history) {
    csv << r.epoch << ',' << r.train_loss << ',' << r.val_loss << ',' << r.learning_rate << ','
        << r.seconds << ',' << r.samples_per_second << '\n';  // no validation: val_loss "nan"
  }
  write_file_atomically(path, csv.str(), "fit: history file");
}

// "runs/ckpt-{epoch}.npz" -> "runs/ckpt-12.npz": every "{epoch}" in the file name is replaced;
// the folders are a path, never a pattern ("runs/{epoch}/ckpt.npz" stays as it is).
std::string checkpoint_file(const std::string& pattern, int epoch) {
  const std::size_t name_start = pattern.find_last_of('/') + 1;  // 0 without a '/'
  std::string name = pattern.substr(name_start);
  const std::string key = "{epoch}", value = std::to_string(epoch);
  for (auto at = name.find(key); at != std::string::npos; at = name.find(key, at + value.size())) {
    name.replace(at, key.size(), value);
  }
  return pattern.substr(0, name_start) + name;
}

// A copy of every parameter's values, to see later whether an epoch moved any.
std::vector<Tensor> parameter_values(const Module& model) {
  std::vector<Tensor> values;
  for (const auto& [name, parameter] : model.named_parameters())
    values.push_back(parameter.data().clone());
  return values;
}

// Whether any parameter differs from `before` (parameter_values of the same model).
bool weights_moved(const Module& model, const std::vector<Tensor>& before) {
  std::size_t i = 0;
  for (const auto& [name, parameter] : model.named_parameters()) {
    if (max(abs(parameter.data() - before[i++])).item() != 0.0) return true;
  }
  return false;
}

// An independent copy of the weights: state_dict() shares storage with the model.
StateDict clone_state(const Module& model) {
  StateDict state = model.state_dict();
  for (auto& [name, tensor] : state) tensor = tensor.clone();
  return state;
}

std::string loss_str(double loss) {
  std::ostringstream s;
  s << std::setprecision(6) << loss;
  return s.str();
}

// After an epoch: every parameter and the validation loss must be finite. A NaN made by the
// last step's update shows in no training loss, so without this check it would reach the
// history, the checkpoint and the caller unnoticed.
void check_finite_after_epoch(const Module& model, const EpochRecord& record, bool validated,
                              std::int64_t step) {
  const std::string where =
      " at epoch " + std::to_string(record.epoch) + ", step " + std::to_string(step) +
      " (the epoch's last); try a lower learning rate, and check the data for NaN or Inf";
  for (const auto& [name, parameter] : model.named_parameters()) {
    // NOTE: max keeps NaN and |x| maps -Inf to Inf, so max|x| is finite exactly when every
    // element is (a sum could overflow on finite values).
    const double largest = max(abs(parameter.data())).item();
    if (!std::isfinite(largest)) {
      throw TrainingError("fit: the parameter " + name + " holds " + loss_str(largest) + where);
    }
  }
  if (validated && !std::isfinite(record.val_loss)) {
    throw TrainingError("fit: the validation loss became " + loss_str(record.val_loss) + where);
  }
}

// Puts back everything a checkpoint of fit() holds: model, optimizer and its learning rate,
// schedule, generators, position and history.
void resume(const std::string& path, Module& model, Optimizer& optimizer, LRScheduler* scheduler,
            DataLoader& loader, detail::FitState& state) {
  const std::int64_t steps = state.steps;
  state = detail::from_state_dict(load_checkpoint(path, model, &optimizer), path);
  if (state.steps != steps) {
    throw ValueError("fit: cannot resume from " + path + ": it was written with " +
                     std::to_string(state.steps) + " steps per epoch, this fit has " +
                     std::to_string(steps) + " (another data set or batch size?)");
  }
  const std::vector<Generator*> generators = model.generators();
  if (state.generators.size() != generators.size()) {
    throw ValueError("fit: cannot resume from " + path + ": it holds " +
                     std::to_string(state.generators.size()) + " generator states, the model has " +
                     std::to_string(generators.size()));
  }
  for (std::size_t i = 0; i < generators.size(); ++i) generators[i]->set_state(state.generators[i]);
  state.generators.clear();
  loader.generator().set_state(state.order);
  if (scheduler != nullptr) {
    // Replayed from the start, then the saved rate (the scheduler's steps set their own).
    const double lr = optimizer.learning_rate();
    while (scheduler->epoch() < state.scheduler_epoch) scheduler->step();
    optimizer.set_learning_rate(lr);
  }
}

}  // namespace

BatchLoss reconstruction_loss(
    std::function<Variable(const Variable& output, const Variable& target)> loss) {
  return [loss = std::move(loss)](Module& model, const Batch& batch) {
    const Variable input(batch.input);
    const Variable output = model(input);
    return loss(output, batch.target.defined() ? Variable(batch.target) : input);
  };
}

double evaluate(Module& model, const BatchLoss& loss, const Dataset& data,
                std::int64_t batch_size) {
  EvalModeGuard eval_mode(model);  // dropout off
  NoGradGuard no_grad;             // nothing recorded: no graph, no saved tensors
  DataLoader loader(data, batch_size, /*shuffle=*/false);
  double loss_sum = 0.0;  // sum over batches of (mean batch loss) * (batch size)
  std::int64_t samples = 0;
  for (const Batch& batch : loader) {
    const auto n = static_cast<std::int64_t>(batch.indices.size());
    loss_sum += loss(model, batch).item() * static_cast<double>(n);
    samples += n;
  }
  return samples > 0 ? loss_sum / static_cast<double>(samples) : kNaN;
}

namespace {

// One call of fit(): what it was given, and what carries over from step to step. run() is the
// loop; each of its steps is a method below.
class FitLoop {
 public:
  FitLoop(Module& model, const BatchLoss& loss, Optimizer& optimizer, const Dataset& train,
          const Dataset* validation, const FitOptions& options)
      : model_(model),
        loss_(loss),
        optimizer_(optimizer),
        validation_(validation),
        options_(options),
        loader_(train, options.batch_size, options.shuffle, options.drop_last, options.seed),
        steps_(loader_.batches_per_epoch()),
        out_(options.out != nullptr ? *options.out : std::cout),
        progress_(out_, detail::progress_style(options, out_), options.epochs, steps_),
        monitored_name_(validation != nullptr ? "val_loss" : "train_loss") {
    if (steps_ == 0) {
      throw ValueError("fit: the training set gives no batch (" + std::to_string(train.size()) +
                       " samples, batch_size " + std::to_string(options.batch_size) +
                       (options.drop_last ? ", drop_last)" : ")"));
    }
    state_.steps = steps_;
  }

  FitResult run() {
    if (!options_.resume_from.empty()) {
      resume(options_.resume_from, model_, optimizer_, options_.scheduler, loader_, state_);
    }
    const int first_epoch = state_.step == steps_ ? state_.epoch + 1 : std::max(state_.epoch, 1);
    const std::int64_t resumed_steps = state_.step == steps_ ? 0 : state_.step;  // of first_epoch
    const Clock::time_point start = Clock::now();
    last_checkpoint_ = start;
    bool stopped_early = false;
    for (int epoch = first_epoch; epoch <= options_.epochs && !stopped_early; ++epoch) {
      const Clock::time_point epoch_start = Clock::now();
      const std::vector<Tensor> weights_before =
          options_.divergence.stalled ? parameter_values(model_) : std::vector<Tensor>{};
      const std::int64_t last_step = run_epoch(epoch, epoch == first_epoch ? resumed_steps : 0);
      const EpochRecord record = end_of_epoch(epoch, epoch_start, last_step);
      stopped_early = early_stopping(epoch, record);
      check_divergence(epoch, record, weights_before);
      checkpoint(epoch, /*more=*/epoch < options_.epochs && !stopped_early);
    }
    return result(stopped_early, seconds_since(start));
  }

 private:
  // One epoch's training steps (the first `skip` were done before a resume); returns the
  // number of the epoch's last step.
  std::int64_t run_epoch(int epoch, std::int64_t skip) {
    model_.train();
    progress_.start_epoch(epoch);
    state_.epoch = epoch;
    state_.order = loader_.generator().state();  // before this epoch's shuffle
    if (skip == 0) {
      state_.loss_sum = 0.0;
      state_.samples = 0;
    }
    std::int64_t step = 0;
    for (const Batch& batch : loader_) {
      // NOTE: a resumed epoch draws its order again (the generator was put back to the epoch's
      // start) and passes over the batches it had done.
      if (++step <= skip) continue;
      // The closure form of step(): most optimizers evaluate it once, L-BFGS as often as its
      // line search needs. It returns the loss before the update.
      const auto evaluate_loss = [&] {
        optimizer_.zero_grad();
        const Variable loss = loss_(model_, batch);
        const double v = loss.item();
        // NOTE: one NaN reaches every weight through backward, and every later loss is NaN:
        // stop here, where the step that went wrong is known.
        if (!std::isfinite(v)) {
          std::ostringstream message;
          message << "fit: the loss became " << v << " at epoch " << epoch << ", step " << step
                  << " (of " << steps_
                  << "); try a lower learning rate, and check the data for NaN or Inf";
          throw TrainingError(message.str());
        }
        loss.backward();
        return v;
      };
      // (Passed by reference: a std::function holding the lambda itself would allocate at
      // every step to store its captures.)
      const double value = optimizer_.step(std::ref(evaluate_loss));
      const auto n = static_cast<std::int64_t>(batch.indices.size());
      state_.loss_sum += value * static_cast<double>(n);
      state_.samples += n;
      state_.step = step;
      ++steps_done_;
      progress_.step(step, state_.loss_sum / static_cast<double>(state_.samples), state_.samples);
      if (step < steps_ && stop_requested()) throw interrupted(epoch);
    }
    state_.order =
        loader_.generator().state();  // the epoch is done: the next one shuffles from here
    return step;
  }

  // The epoch's record (validation loss included), checked for NaN and Inf before anything is
  // saved, then shown, written to history.csv, and the scheduler stepped.
  EpochRecord end_of_epoch(int epoch, Clock::time_point epoch_start, std::int64_t last_step) {
    const double train_seconds = seconds_since(epoch_start);
    EpochRecord record{};
    record.epoch = epoch;
    record.train_loss = state_.loss_sum / static_cast<double>(state_.samples);
    record.val_loss =
        validation_ != nullptr ? evaluate(model_, loss_, *validation_, options_.batch_size) : kNaN;
    record.learning_rate = optimizer_.learning_rate();
    record.seconds = seconds_since(epoch_start);
    record.samples_per_second =
        train_seconds > 0 ? static_cast<double>(state_.samples) / train_seconds : 0.0;
    check_finite_after_epoch(model_, record, validation_ != nullptr, last_step);
    state_.history.push_back(record);
    progress_.end_epoch(record);
    if (!options_.history_csv.empty()) write_history(options_.history_csv, state_.history);
    if (options_.scheduler != nullptr) {
      options_.scheduler->step();
      state_.scheduler_epoch = options_.scheduler->epoch();
    }
    return record;
  }

  // Early stopping: an improvement must beat the best loss so far by more than min_delta.
  // Returns whether training stops here.
  bool early_stopping(int epoch, const EpochRecord& record) {
    const EarlyStopping& stopping = options_.early_stopping;
    const double monitored = validation_ != nullptr ? record.val_loss : record.train_loss;
    if (monitored < state_.best_loss - stopping.min_delta) {
      state_.best_epoch = epoch;
      state_.best_loss = monitored;
      state_.epochs_without_improvement = 0;
      if (keep_best()) state_.best_weights = clone_state(model_);
    } else if (stopping.patience > 0 && ++state_.epochs_without_improvement >= stopping.patience) {
      progress_.note("early stopping: no improvement of " + std::string(monitored_name_) + " for " +
                     std::to_string(stopping.patience) + " epochs");
      return true;
    }
    return false;
  }

  // A loss rising epoch after epoch, or an epoch that moved no weight: a warning, or
  // TrainingError with Divergence::stop.
  void check_divergence(int epoch, const EpochRecord& record,
                        const std::vector<Tensor>& weights_before) {
    const Divergence& divergence = options_.divergence;
    auto report = [&](const std::string& problem) {
      if (divergence.stop) throw TrainingError("fit: " + problem);
      progress_.note("warning: " + problem + " (warning; stop_on_divergence makes it an error)");
    };
    const double monitored = validation_ != nullptr ? record.val_loss : record.train_loss;
    rises_ = monitored > previous_monitored_ ? rises_ + 1 : 0;
    previous_monitored_ = monitored;
    if (divergence.rising_epochs > 0 && rises_ == divergence.rising_epochs) {
      report(std::string(monitored_name_) + " rose at " + std::to_string(rises_) +
             " epoch ends in a row (to " + loss_str(monitored) + " at epoch " +
             std::to_string(epoch) + "); the learning rate may be too high, or the model overfits");
    }
    if (divergence.stalled && state_.samples > 0 && !weights_moved(model_, weights_before)) {
      report("epoch " + std::to_string(epoch) +
             " changed no weight: the updates are below the weights' "
             "floating-point resolution (is the learning rate far too small?)");
    }
  }

  // A stop request between epochs ends the fit with a checkpoint; otherwise one is written
  // every checkpoint_every epochs, or when checkpoint_seconds have passed and more epochs follow.
  void checkpoint(int epoch, bool more) {
    if (more && stop_requested()) throw interrupted(epoch);
    const bool every_n = options_.checkpoint_every > 0 && epoch % options_.checkpoint_every == 0;
    const bool timed = options_.checkpoint_seconds > 0 &&
                       seconds_since(last_checkpoint_) >= options_.checkpoint_seconds;
    if (every_n || (timed && more)) save(checkpoint_file(options_.checkpoint_path, epoch));
  }

  FitResult result(bool stopped_early, double seconds) {
    FitResult r;
    r.history = state_.history;
    r.best_epoch = state_.best_epoch;
    r.best_loss = state_.best_loss;
    r.stopped_early = stopped_early;
    if (keep_best() && !state_.best_weights.empty() &&
        r.best_epoch != static_cast<int>(r.history.size())) {
      model_.load_state_dict(state_.best_weights);
      progress_.note("restored the weights of epoch " + std::to_string(r.best_epoch) + " (" +
                     monitored_name_ + " " + loss_str(r.best_loss) + ")");
    }
    r.train_seconds = seconds;
    return r;
  }

  bool keep_best() const {
    return options_.early_stopping.patience > 0 && options_.early_stopping.restore_best;
  }

  bool stop_requested() const {
    return (options_.stop != nullptr && options_.stop->load()) ||
           (options_.stop_after_steps > 0 && steps_done_ >= options_.stop_after_steps);
  }

  // A checkpoint of the state now; after the epoch's shuffle, `order` is its state before it.
  void save(const std::string& path) {
    for (Generator* g : model_.generators()) state_.generators.push_back(g->state());
    make_parent_directory(path);
    save_checkpoint(path, model_, &optimizer_, detail::to_state_dict(state_));
    state_.generators.clear();
    last_checkpoint_ = Clock::now();
  }

  // Saves a checkpoint and says how to go on from it.
  TrainingInterrupted interrupted(int epoch) {
    if (options_.checkpoint_path.empty())
      return TrainingInterrupted("fit: interrupted (no checkpoint_path)");
    const std::string path = checkpoint_file(options_.checkpoint_path, epoch);
    save(path);
    return TrainingInterrupted("fit: interrupted after epoch " + std::to_string(state_.epoch) +
                               ", step " + std::to_string(state_.step) + " (of " +
                               std::to_string(steps_) + "); the checkpoint " + path +
                               " continues it");
  }

  Module& model_;
  const BatchLoss& loss_;
  Optimizer& optimizer_;
  const Dataset* validation_;
  const FitOptions& options_;
  DataLoader loader_;
  const std::int64_t steps_;  // per epoch
  std::ostream& out_;
  detail::Progress progress_;
  const char* monitored_name_;
  // Everything that carries over from step to step and epoch to epoch, as a checkpoint holds it.
  detail::FitState state_;
  std::int64_t steps_done_ = 0;  // in this call
  Clock::time_point last_checkpoint_;
  int rises_ = 0;  // epoch ends in a row at which the monitored loss rose
  double previous_monitored_ = kNaN;
};

}  // namespace

FitResult fit(Module& model, const BatchLoss& batch_loss, Optimizer& optimizer,
              const Dataset& train, const Dataset* validation, const FitOptions& options) {
  check_options(options, validation);
  return FitLoop(model, batch_loss, optimizer, train, validation, options).run();
}

}  // namespace xtgrad::nn
