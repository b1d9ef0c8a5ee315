#pragma once
// Where a fit() stands, saved under "fit/" in its checkpoints so that a resumed fit() goes on
// bit for bit as if it had never stopped (internal to fit.cpp).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "nn/fit.hpp"
#include "tensor/random.hpp"

namespace xtgrad::nn::detail {

struct FitState {
  int epoch = 0;           // the epoch under way or just finished (1-based)
  std::int64_t step = 0;   // its steps done; the epoch is finished when step == steps
  std::int64_t steps = 0;  // steps per epoch: a resumed fit() must have as many
  double loss_sum = 0.0;   // the epoch so far: sum over batches of (mean loss) * (batch size)
  std::int64_t samples = 0;
  // The generator of the sample order: its state before the shuffle of `epoch` when the epoch
  // is under way (it is drawn again and its first `step` batches skipped), else now.
  Generator::State order{};
  std::vector<Generator::State> generators;  // the model's (dropout, noise, sampling), now
  std::vector<EpochRecord> history;
  int best_epoch = 0;
  double best_loss = std::numeric_limits<double>::infinity();
  int epochs_without_improvement = 0;
  StateDict best_weights;             // kept for restore_best (empty otherwise)
  std::int64_t scheduler_epoch = -1;  // -1: no scheduler
};

StateDict to_state_dict(const FitState& state);
// ValueError names the file and the missing or malformed entry.
FitState from_state_dict(const StateDict& entries, const std::string& path);

}  // namespace xtgrad::nn::detail
