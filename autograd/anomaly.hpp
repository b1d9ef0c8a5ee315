#pragma once
// Anomaly detection, like torch.autograd.detect_anomaly: while it is on, the output of every
// op's forward and the gradients of every node's backward are checked, and the first op that
// makes a NaN or Inf out of finite values throws AutogradError naming it, its inputs and (in
// backward) the path from the output that reached it:
//
//   DetectAnomalyGuard anomaly;   // on while alive (xtgrad train --detect-anomaly)
//   Variable y = sum(sqrt(x));    // x holds a 0
//   y.backward();  // AutogradError: detect_anomaly: the backward of pow made inf out of a
//                  // finite gradient, for input 0 ...; reached from the output by sum <- pow
//
// The checks read every value once more (a max over each tensor), so it is for hunting a NaN,
// not for every run. A value that is already NaN or Inf in a leaf is not blamed on the ops
// that carry it on.
#include <cstddef>

#include "autograd/variable.hpp"

namespace xtgrad {

// Whether anomaly detection is on (on this thread, as grad mode).
bool anomaly_detection_enabled();

// Turns anomaly detection on (or off) while alive, then back to what it was.
class DetectAnomalyGuard {
 public:
  explicit DetectAnomalyGuard(bool enabled = true);
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

namespace detail {
// True when t has no NaN or Inf (always for integer and boolean tensors).
bool all_finite(const Tensor& t);
// Throws AutogradError when the op made a non-finite output out of finite inputs.
void check_forward(const char* op, const Variable* const* inputs, std::size_t count,
                   const Tensor& output);
// "the output of sub, float32 (3,)" or "a leaf, float32 (3,)": where a value comes from.
std::string origin(const Variable& v);
}  // namespace detail

}  // namespace xtgrad
