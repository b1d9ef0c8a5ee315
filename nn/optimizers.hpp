#pragma once
// The optimizers. Options and defaults are PyTorch's (torch.optim), so a program ported from
// PyTorch behaves the same; the tests replay PyTorch's trajectories.
// The lr of each options struct is the initial rate only: step() reads the live one,
// Optimizer::learning_rate(), which schedules and checkpoints set.
#include <array>
#include <vector>

#include "nn/optimizer.hpp"

namespace xtgrad::nn {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Variable> parameters, SGDOptions options);
  SGD(std::vector<Variable> parameters, double lr);
  void step() override;
  using Optimizer::step;
  std::string name() const override { return "SGD"; }
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;
  std::uint64_t max_state_bytes() const override { return state_bytes(1); }  // momentum_buffer

 private:
  SGDOptions options_;
  std::vector<Tensor> momentum_buffer_;  // undefined until the first step
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  // Adam: added to the gradient; AdamW: decoupled
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Variable> parameters, AdamOptions options);
  Adam(std::vector<Variable> parameters, double lr);
  void step() override;
  using Optimizer::step;
  std::string name() const override { return decoupled_ ? "AdamW" : "Adam"; }
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;
  std::uint64_t max_state_bytes() const override { return state_bytes(2); }  // exp_avg, exp_avg_sq

 protected:
  Adam(std::vector<Variable> parameters, AdamOptions options, bool decoupled);
  AdamOptions options_;
  bool decoupled_;
  std::int64_t step_count_ = 0;
  std::vector<Tensor> exp_avg_, exp_avg_sq_;
};

// AdamW (Loshchilov & Hutter 2019): weight decay applied to the parameters, not the gradient.
// PyTorch's default weight_decay for AdamW is 1e-2.
class AdamW : public Adam {
 public:
  AdamW(std::vector<Variable> parameters, AdamOptions options);
  AdamW(std::vector<Variable> parameters, double lr, double weight_decay = 1e-2);
};

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Variable> parameters, RMSpropOptions options);
  void step() override;
  using Optimizer::step;
  std::string name() const override { return "RMSprop"; }
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;
  std::uint64_t max_state_bytes() const override {
    return state_bytes(3);
  }  // square_avg, momentum_buffer, grad_avg

 private:
  RMSpropOptions options_;
  std::vector<Tensor> square_avg_, momentum_buffer_, grad_avg_;
};

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0.0;
  double weight_decay = 0.0;
  double initial_accumulator_value = 0.0;
  double eps = 1e-10;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Variable> parameters, AdagradOptions options);
  void step() override;
  using Optimizer::step;
  std::string name() const override { return "Adagrad"; }
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;
  std::uint64_t max_state_bytes() const override { return state_bytes(1); }  // sum

 private:
  AdagradOptions options_;
  std::int64_t step_count_ = 0;
  std::vector<Tensor> sum_;
};

struct LBFGSOptions {
  double lr = 1.0;
  int max_iter = 20;  // iterations per step()
  int max_eval = 25;  // function evaluations per step() (PyTorch: max_iter * 1.25)
  double tolerance_grad = 1e-7;
  double tolerance_change = 1e-9;
  int history_size = 100;
  bool strong_wolfe = true;  // line search; false means a fixed step of lr
};

// L-BFGS (Nocedal & Wright, Numerical Optimization, algorithms 7.4 and 3.5/3.6), as in
// torch.optim.LBFGS: all parameters are treated as one flat vector. Needs step(closure).
// Its state is global, not per parameter: "n_iter", "func_evals", "d", the history
// "old_dirs.<k>", "old_steps.<k>", ... (in the parameters' dtype; its size: see lbfgs.cpp).
class LBFGS : public Optimizer {
 public:
  LBFGS(std::vector<Variable> parameters, LBFGSOptions options);
  void step() override;  // throws: L-BFGS needs a closure
  double step(const std::function<double()>& closure) override;
  std::string name() const override { return "LBFGS"; }
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;
  std::uint64_t max_state_bytes() const override;  // d, prev_flat_grad, history_size pairs
  // Total function evaluations and iterations so far.
  std::int64_t evaluations() const { return func_evals_; }
  std::int64_t iterations() const { return n_iter_; }

 private:
  LBFGSOptions options_;
  std::int64_t func_evals_ = 0, n_iter_ = 0;
  DType history_dtype_ = DType::float32;      // float64 if any parameter is
  std::vector<Tensor> old_dirs_, old_steps_;  // flat history (y_k, s_k pairs), history_dtype_
  Tensor d_, prev_flat_grad_;                 // direction and previous flat gradient, float64
  double t_ = 0.0, prev_loss_ = 0.0, h_diag_ = 1.0;
};

}  // namespace xtgrad::nn
