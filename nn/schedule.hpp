#pragma once
// Learning-rate schedules: call step() once per epoch, after the optimizer's steps.
// The formulas are PyTorch's (torch.optim.lr_scheduler), with the epoch count e starting at 0.
#include "nn/optimizer.hpp"

namespace xtgrad::nn {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;
  // Advances one epoch and sets the optimizer's learning rate.
  void step();
  std::int64_t epoch() const { return epoch_; }

 protected:
  // The learning rate for epoch e (e >= 0) from the initial one.
  virtual double rate(std::int64_t e) const = 0;
  Optimizer& optimizer_;
  double initial_lr_;
  std::int64_t epoch_ = 0;
};

// lr = initial * gamma^floor(e / step_size)
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);

 protected:
  double rate(std::int64_t e) const override;
  std::int64_t step_size_;
  double gamma_;
};

// lr = initial * gamma^e
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  double rate(std::int64_t e) const override;
  double gamma_;
};

// lr = eta_min + (initial - eta_min) (1 + cos(pi e / t_max)) / 2   (Loshchilov & Hutter 2017)
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min = 0.0);

 protected:
  double rate(std::int64_t e) const override;
  std::int64_t t_max_;
  double eta_min_;
};

}  // namespace xtgrad::nn
