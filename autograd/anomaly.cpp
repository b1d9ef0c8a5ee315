// Anomaly detection (see anomaly.hpp).
#include "autograd/anomaly.hpp"

#include <cmath>

#include "autograd/node.hpp"
#include "tensor/math.hpp"
#include "tensor/reduce.hpp"

namespace xtgrad {

namespace {
thread_local bool anomaly_mode = false;
}  // namespace

bool anomaly_detection_enabled() { return anomaly_mode; }

DetectAnomalyGuard::DetectAnomalyGuard(bool enabled) : previous_(anomaly_mode) {
  anomaly_mode = enabled;
}
DetectAnomalyGuard::~DetectAnomalyGuard() { anomaly_mode = previous_; }

namespace detail {

bool all_finite(const Tensor& t) {
  if (!t.defined() || !is_floating(t.dtype()) || t.numel() == 0) return true;
  // NOTE: max keeps NaN and |x| maps -Inf to Inf, so max|x| is finite exactly when every
  // element is (a sum could overflow on finite values).
  return std::isfinite(max(abs(t)).item());
}

std::string origin(const Variable& v) {
  const std::string what = v.grad_fn() ? std::string("the output of ") + v.grad_fn()->name()
                                       : (v.requires_grad() ? "a leaf" : "a constant");
  return what + ", " + dtype_name(v.dtype()) + " " + shape_str(v.shape());
}

void check_forward(const char* op, const Variable* const* inputs, std::size_t count,
                   const Tensor& output) {
  if (all_finite(output)) return;
  std::string from;
  for (std::size_t i = 0; i < count; ++i) {
    if (!all_finite(inputs[i]->data())) return;  // carried on, not made here
    from += (i > 0 ? "; " : "") + origin(*inputs[i]);
  }
  const double largest = max(abs(output)).item();
  throw AutogradError(std::string("detect_anomaly: the forward of ") + op + " made " +
                      (std::isnan(largest) ? "nan" : "inf") + " out of finite inputs (" + from +
                      "), giving " + dtype_name(output.dtype()) + " " + shape_str(output.shape()));
}

}  // namespace detail

}  // namespace xtgrad
