#pragma once
// Optimizers: update parameters from their gradients. Each concrete optimizer is written one
// equation per line, with the paper and PyTorch's documentation page in a comment, and is
// tested against PyTorch's trajectory on the same problem.
//
//   nn::Adam opt(model.parameters(), 1e-3);
//   for (...) { opt.zero_grad(); Variable loss = ...; loss.backward(); opt.step(); }
//
// Updates run on the parameters' data, never recorded; each one bumps the data's version,
// so a graph that saved a parameter before the step refuses to run backward after it.
#include <functional>
#include <string>
#include <vector>

#include "autograd/variable.hpp"
#include "nn/module.hpp"

namespace xtgrad::nn {

class Optimizer {
 public:
  Optimizer(std::vector<Variable> parameters, double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update from the current gradients. Parameters without a gradient are skipped.
  virtual void step() = 0;
  // For optimizers that evaluate the loss several times per step (L-BFGS): `closure`
  // clears the gradients, computes the loss, calls backward and returns the loss. The default
  // calls it once and then step(). Returns the loss of the first evaluation.
  virtual double step(const std::function<double()>& closure);

  void zero_grad();
  double learning_rate() const { return lr_; }
  void set_learning_rate(double lr);
  const std::vector<Variable>& parameters() const { return parameters_; }
  virtual std::string name() const = 0;

  // The optimizer's own state (moments, step counts) as named tensors, for checkpoints;
  // names are "<parameter index>.<slot>", e.g. "0.exp_avg", plus "step" where used.
  virtual StateDict state_dict() const = 0;
  virtual void load_state_dict(const StateDict& state) = 0;

 protected:
  std::vector<Variable> parameters_;
  double lr_;
};

}  // namespace xtgrad::nn
