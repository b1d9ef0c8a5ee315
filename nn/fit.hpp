#pragma once
// fit(): the training loop, so that models are trained the same way everywhere.
//
//   nn::FitOptions options;
//   options.epochs = 20;
//   options.batch_size = 128;
//   options.history_csv = "runs/basic/history.csv";
//   nn::FitResult r = nn::fit(model, nn::reconstruction_loss(loss_fn), optimizer, train, &validation, options);
//
// On a terminal it shows a progress bar with the loss, samples/s and ETA; when the output
// is not a terminal (a log file, CI) it prints one line per epoch instead, with no carriage
// returns. A NaN or Inf loss stops training with a message naming the epoch and step.
#include <atomic>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "nn/data.hpp"
#include "nn/module.hpp"
#include "nn/optimizer.hpp"
#include "nn/schedule.hpp"

namespace xtgrad::nn {

// Training that cannot go on: the loss, the validation loss or a weight became NaN or infinite.
class TrainingError : public Error {
 public:
  using Error::Error;
};

// Training stopped on request (FitOptions::stop) after a finished step; the checkpoint named in
// the message continues it (FitOptions::resume_from).
class TrainingInterrupted : public Interrupted {
 public:
  using Interrupted::Interrupted;
};

// The loss of one batch. It runs the model, so that models with extra loss terms (a VAE's KL,
// a sparsity penalty) can add them.
using BatchLoss = std::function<Variable(Module& model, const Batch& batch)>;
// The common case: loss(model(batch.input), batch.target), or loss(model(batch.input),
// batch.input) when the data set has no targets (an autoencoder).
BatchLoss reconstruction_loss(
    std::function<Variable(const Variable& output, const Variable& target)> loss);

// Stops when the validation loss (the train loss without validation data) has not improved
// for `patience` epochs. patience 0 disables early stopping, restore_best included.
struct EarlyStopping {
  int patience = 0;          // epochs without improvement before stopping; 0 disables
  double min_delta = 0.0;    // an improvement must lower the validation loss by more
  bool restore_best = true;  // put back the best weights at the end, stopped early or not
};

// A training that goes wrong without a NaN: the monitored loss (the validation loss, else the
// training loss) rose at `rising_epochs` epoch ends in a row, or a whole epoch changed no weight
// (its updates fell below the weights' floating-point resolution: the learning rate is far too
// small, or the optimizer's state has blown up). Reported as a "warning:" line, or thrown as
// TrainingError when `stop` is set.
struct Divergence {
  int rising_epochs = 3;  // 0: the loss is not watched
  bool stalled = true;    // watch for epochs that change no weight (costs one copy of the weights)
  bool stop = false;      // TrainingError instead of a warning
};

struct FitOptions {
  int epochs = 10;
  std::int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;
  std::uint64_t seed = 0;         // the order of the samples
  std::string history_csv;        // epoch,train_loss,val_loss,lr,seconds,samples_per_second
                                  // rewritten after every epoch (empty: none)
  int checkpoint_every = 0;       // epochs between checkpoints (0: none)
  double checkpoint_seconds = 0;  // also at the end of an epoch once this many seconds have
                                  // passed since the start or the last checkpoint (0: never)
  std::string checkpoint_path;    // its file name may hold {epoch}, replaced by the epoch
                                  // ("ckpt-{epoch}.npz"); its folders are taken as they are. Also
                                  // where an interrupted fit saves. A checkpoint holds the model,
                                  // the optimizer, the schedule, the position (epoch, step), the
                                  // history and the state of every generator (sample order,
                                  // the model's noise).
  std::string resume_from;        // a checkpoint of fit(): go on from it, bit for bit as if
                                  // never stopped (same data, batch size, seed, threads)
  const std::atomic<bool>* stop = nullptr;  // once raised (by a signal handler), the step under
                                            // way finishes, a checkpoint is written and
  // TrainingInterrupted thrown; after the last epoch's last
  // step fit() returns normally
  std::int64_t stop_after_steps = 0;  // tests: as if `stop` were raised after this many steps of
                                      // this call (0: never)
  EarlyStopping early_stopping;
  Divergence divergence;
  LRScheduler* scheduler = nullptr;  // stepped once per epoch
  std::ostream* out = nullptr;       // progress output (nullptr: std::cout)
  bool progress = true;              // false: silent
  bool force_progress_bar = false;  // the terminal's '\r' progress bar on any stream (tests, demos)
};

struct EpochRecord {
  int epoch;                  // 1-based
  double train_loss;          // mean of the batch losses, weighted by batch size
  double val_loss;            // NaN without validation data
  double learning_rate;       // the rate used during the epoch (before the scheduler's step)
  double seconds;             // wall time of the epoch, validation included
  double samples_per_second;  // training samples per second of the training steps
};

struct FitResult {
  std::vector<EpochRecord> history;
  int best_epoch = 0;  // by validation loss (by train loss without validation)
  double best_loss = 0.0;
  bool stopped_early = false;
  double train_seconds = 0.0;
};

// Evaluation mode, no gradients: the mean batch loss over a data set, weighted by batch size
// (the model's training mode is restored afterwards).
double evaluate(Module& model, const BatchLoss& loss, const Dataset& data, std::int64_t batch_size);

FitResult fit(Module& model, const BatchLoss& loss, Optimizer& optimizer, const Dataset& train,
              const Dataset* validation, const FitOptions& options);

}  // namespace xtgrad::nn
