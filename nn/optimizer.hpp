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
#include <cstdint>
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
  // The learning rate: one live value, which every step() reads. Schedules and checkpoints
  // change it here; the lr of an options struct is only the initial value.
  double learning_rate() const { return lr_; }
  void set_learning_rate(double lr);
  const std::vector<Variable>& parameters() const { return parameters_; }
  virtual std::string name() const = 0;

  // The optimizer's own state (moments, step counts) as named tensors, for checkpoints;
  // names are "<parameter index>.<slot>", e.g. "0.exp_avg", plus "step" where used.
  virtual StateDict state_dict() const = 0;
  virtual void load_state_dict(const StateDict& state) = 0;
  // The most data bytes (numel * itemsize) that state_dict() can hold for these parameters,
  // at any step: load_checkpoint inflates no more "optimizer/" bytes than this from a file.
  // Each optimizer counts its own slots (Adam: state_bytes(2)); the default allows 4.
  virtual std::uint64_t max_state_bytes() const { return state_bytes(4); }

 protected:
  // --- for the subclasses ---------------------------------------------------------------------
  // Constructor checks, as PyTorch's: unless ok, throws ValueError naming the optimizer,
  //   "Adam: invalid beta1 1.5: must be in [0, 1)"
  void check_option(bool ok, const std::string& option, double value,
                    const std::string& requirement) const;
  // Per-parameter state: tensors[i] goes into `state` as "<i>.<slot>" (undefined ones, not yet
  // allocated, are left out). load_slot reads them back as copies in each parameter's dtype,
  // undefined where absent (ShapeError if a shape differs from its parameter's).
  void save_slot(StateDict& state, const std::string& slot,
                 const std::vector<Tensor>& tensors) const;
  std::vector<Tensor> load_slot(const StateDict& state, const std::string& slot) const;
  // ValueError listing the keys of `state` that are neither "<i>.<slot>" (i a parameter index,
  // slot one of `slots`) nor one of `globals`: e.g. Adam's state loaded into SGD.
  void check_state_keys(const StateDict& state, const std::vector<std::string>& slots,
                        const std::vector<std::string>& globals) const;
  // The bytes of `slots` tensors shaped like each parameter, in its dtype, plus 4 KiB for
  // scalars such as "step": the bound of a state kept slot by slot.
  std::uint64_t state_bytes(std::uint64_t slots) const;

  std::vector<Variable> parameters_;

 private:
  double lr_;  // read through learning_rate(), so that no subclass keeps a copy of its own
};

}  // namespace xtgrad::nn
