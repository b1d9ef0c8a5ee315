// Learning-rate schedules in closed form, as a function of the epoch e.
//
// References: https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.StepLR.html,
// .../ExponentialLR.html and .../CosineAnnealingLR.html; I. Loshchilov and F. Hutter,
// "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017, eq. 5 (cosine annealing).
// NOTE: PyTorch's step() updates the rate recursively (lr_e from lr_{e-1}); the closed forms
// here give the same sequence up to rounding (about 1e-16 relative), and need no state but e.
#include "nn/schedule.hpp"

#include <cmath>
#include <string>

namespace xtgrad::nn {

LRScheduler::LRScheduler(Optimizer& optimizer)
    : optimizer_(optimizer), initial_lr_(optimizer.learning_rate()) {}

void LRScheduler::step() {
  epoch_ += 1;
  optimizer_.set_learning_rate(rate(epoch_));
}

StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size < 1) {
    throw ValueError("StepLR: invalid step_size " + std::to_string(step_size) + ": must be >= 1");
  }
}

// lr = initial * gamma^floor(e / step_size)
double StepLR::rate(std::int64_t e) const {
  return initial_lr_ * std::pow(gamma_, static_cast<double>(e / step_size_));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer), gamma_(gamma) {}

// lr = initial * gamma^e
double ExponentialLR::rate(std::int64_t e) const {
  return initial_lr_ * std::pow(gamma_, static_cast<double>(e));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min)
    : LRScheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
  if (t_max < 1) {
    throw ValueError("CosineAnnealingLR: invalid t_max " + std::to_string(t_max) +
                     ": must be >= 1");
  }
}

// lr = eta_min + (initial - eta_min) (1 + cos(pi e / t_max)) / 2
// From the initial rate at e = 0 down to eta_min at e = t_max; past t_max the cosine rises
// again (PyTorch does the same; SGDR would restart instead).
double CosineAnnealingLR::rate(std::int64_t e) const {
  const double pi = std::acos(-1.0);
  const double angle = pi * static_cast<double>(e) / static_cast<double>(t_max_);
  return eta_min_ + (initial_lr_ - eta_min_) * (1.0 + std::cos(angle)) / 2.0;
}

}  // namespace xtgrad::nn
