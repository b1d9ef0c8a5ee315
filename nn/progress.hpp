#pragma once
// The progress display of fit(). Private to nn: fit.cpp is its only user, and it is not installed.
//
// On a terminal, one line redrawn in place with '\r' (at most 10 times a second):
//   epoch 3/20 [########............] 120/469 loss 0.2345 12345 samples/s ETA 0:12
// At the end of the epoch the same line is overwritten by the epoch's summary and a newline.
// Anywhere else (a log file, CI, a pipe) only the summaries, one line per epoch, no '\r':
//   epoch 3/20 train_loss 0.2345 val_loss 0.2401 lr 0.001 12.3s 4870 samples/s
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "nn/fit.hpp"

namespace xtgrad::nn::detail {

enum class ProgressStyle { silent, lines, bar };

// silent if !options.progress; the bar on a terminal (std::cout with isatty(1)) or when
// forced; lines otherwise.
ProgressStyle progress_style(const FitOptions& options, const std::ostream& out);

// "epoch 3/20 train_loss 0.2345 val_loss 0.2401 lr 0.001 12.3s 4870 samples/s"
// (no val_loss without validation data).
std::string epoch_summary(const EpochRecord& record, int epochs);

class Progress {
 public:
  Progress(std::ostream& out, ProgressStyle style, int epochs, std::int64_t steps_per_epoch);
  // Ends a bar that an exception left half-drawn, so the error message starts on its own line.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void start_epoch(int epoch);
  // After training step `step` (1-based): the epoch's mean loss and sample count so far.
  void step(std::int64_t step, double mean_loss, std::int64_t samples);
  // Prints the epoch's summary (over the bar, on a terminal).
  void end_epoch(const EpochRecord& record);
  // A line of its own, e.g. "early stopping: ...".
  void note(const std::string& line);

 private:
  using Clock = std::chrono::steady_clock;
  // Overwrites the line on screen with `line`.
  void redraw(const std::string& line);

  std::ostream& out_;
  ProgressStyle style_;
  int epochs_;
  std::int64_t steps_;
  int epoch_ = 0;
  Clock::time_point epoch_start_, last_draw_;
  std::size_t drawn_ = 0;  // length of the bar on screen; 0 when the line is finished
};

}  // namespace xtgrad::nn::detail
