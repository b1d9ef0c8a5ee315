// The progress display of fit(): a '\r' bar on a terminal, one line per epoch elsewhere.
#include "nn/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace xtgrad::nn::detail {

namespace {

constexpr int kBarWidth = 20;
constexpr std::chrono::milliseconds kRedrawInterval(100);  // at most 10 redraws a second

// "0:07", "12:34", "1:02:03"
std::string clock_str(double seconds) {
  const long long total = std::llround(std::max(seconds, 0.0));
  std::ostringstream s;
  s << std::setfill('0');
  if (total >= 3600) s << total / 3600 << ':' << std::setw(2);
  s << (total % 3600) / 60 << ':' << std::setw(2) << total % 60;
  return s.str();
}

double seconds_between(std::chrono::steady_clock::time_point a,
                       std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

ProgressStyle progress_style(const FitOptions& options, const std::ostream& out) {
  if (!options.progress) return ProgressStyle::silent;
  // A '\r' only makes sense on a terminal: in a log file every redraw would stay as garbage.
  const bool terminal = &out == &std::cout && isatty(STDOUT_FILENO) == 1;
  return options.force_progress_bar || terminal ? ProgressStyle::bar : ProgressStyle::lines;
}

std::string epoch_summary(const EpochRecord& r, int epochs) {
  std::ostringstream s;
  s << "epoch " << r.epoch << '/' << epochs << std::setprecision(6) << " train_loss "
    << r.train_loss;
  if (!std::isnan(r.val_loss)) s << " val_loss " << r.val_loss;
  s << " lr " << r.learning_rate << std::fixed << std::setprecision(1) << ' ' << r.seconds << 's'
    << std::setprecision(0) << ' ' << r.samples_per_second << " samples/s";
  return s.str();
}

Progress::Progress(std::ostream& out, ProgressStyle style, int epochs, std::int64_t steps_per_epoch)
    : out_(out), style_(style), epochs_(epochs), steps_(steps_per_epoch) {}

Progress::~Progress() {
  if (drawn_ > 0) out_ << '\n' << std::flush;
}

void Progress::start_epoch(int epoch) {
  epoch_ = epoch;
  epoch_start_ = last_draw_ = Clock::now();
}

void Progress::step(std::int64_t step, double mean_loss, std::int64_t samples) {
  if (style_ != ProgressStyle::bar) return;
  const Clock::time_point now = Clock::now();
  if (step < steps_ && now - last_draw_ < kRedrawInterval) return;  // the last step always draws
  last_draw_ = now;
  const double elapsed = seconds_between(epoch_start_, now);
  const double rate = elapsed > 0 ? static_cast<double>(samples) / elapsed : 0.0;
  const double eta = elapsed / static_cast<double>(step) * static_cast<double>(steps_ - step);
  const auto filled = static_cast<std::size_t>(kBarWidth * step / steps_);
  std::ostringstream line;
  line << "epoch " << epoch_ << '/' << epochs_ << " [" << std::string(filled, '#')
       << std::string(kBarWidth - filled, '.') << "] " << step << '/' << steps_ << " loss "
       << std::setprecision(4) << mean_loss << ' ' << std::fixed << std::setprecision(0) << rate
       << " samples/s ETA " << clock_str(eta);
  redraw(line.str());
}

void Progress::end_epoch(const EpochRecord& record) {
  if (style_ == ProgressStyle::silent) return;
  if (style_ == ProgressStyle::bar) {
    redraw(epoch_summary(record, epochs_));
    drawn_ = 0;
  } else {
    out_ << epoch_summary(record, epochs_);
  }
  out_ << '\n' << std::flush;  // flushed: a log being tailed shows each epoch as it ends
}

void Progress::note(const std::string& line) {
  if (style_ == ProgressStyle::silent) return;
  out_ << line << '\n' << std::flush;
}

void Progress::redraw(const std::string& line) {
  // '\r' goes back to the start of the line; spaces cover the rest of a longer previous one.
  out_ << '\r' << line;
  if (line.size() < drawn_) out_ << std::string(drawn_ - line.size(), ' ');
  out_ << std::flush;
  drawn_ = line.size();
}

}  // namespace xtgrad::nn::detail
