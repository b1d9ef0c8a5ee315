#pragma once
// Module: the base class of layers and models.
//
// A module registers its parameters (Variables that training updates), its buffers (tensors
// that are state but not trained) and its child modules by name in its constructor; the
// base class then knows how to list, convert, save and load them all, with dotted names:
//
//   class TwoLayer : public nn::Module {
//    public:
//     explicit TwoLayer(Generator& gen)
//         : fc1(register_module("fc1", std::make_shared<nn::Linear>(784, 64, gen))),
//           fc2(register_module("fc2", std::make_shared<nn::Linear>(64, 10, gen))) {}
//     Variable forward(const Variable& x) override { return (*fc2)(relu((*fc1)(x))); }
//     std::string describe() const override { return "TwoLayer"; }
//     std::shared_ptr<nn::Linear> fc1, fc2;
//   };
//   TwoLayer model(gen);
//   model.named_parameters()  // fc1.weight, fc1.bias, fc2.weight, fc2.bias (in that order)
//
// Call children as (*fc1)(x), not fc1->forward(x): operator() is what summary() sees.
// (This example is compiled and run in tests/nn/test_module.cpp.)
//
// State dicts use the same names and, for the built-in layers, the same layouts as PyTorch,
// so a checkpoint loads into the equivalent PyTorch module.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/variable.hpp"
#include "tensor/random.hpp"

namespace xtgrad::nn {

// Named tensors in a fixed order: parameters first, then buffers, module by module.
using StateDict = std::vector<std::pair<std::string, Tensor>>;
// The tensor stored under `name`, or nullptr.
const Tensor* find(const StateDict& state, const std::string& name);

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The computation: input (N, ...) to output (N, ...).
  virtual Variable forward(const Variable& input) = 0;
  // A short description for summaries, e.g. "Linear(784 -> 32)".
  virtual std::string describe() const = 0;

  // Calls forward (and records the output shape while a summary is being made).
  Variable operator()(const Variable& input);

  // --- what the module holds ---------------------------------------------------------------------
  // All parameters of this module and its children, in registration order, with dotted names.
  std::vector<std::pair<std::string, Variable>> named_parameters() const;
  std::vector<Variable> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_buffers() const;
  // Direct children, in registration order.
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
    return children_;
  }
  // The random generators of this module and its children (dropout masks, noise): gradient
  // checks replay them, checkpoints can save them.
  std::vector<Generator*> generators() const;
  std::int64_t parameter_count() const;

  // --- modes and conversions ----------------------------------------------------------------------
  // Clears every parameter's gradient.
  void zero_grad();
  // Training mode (the default) or evaluation mode (dropout off); applies to all children.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Converts every parameter and buffer to dtype (float32 for training, float64 for checks).
  void to(DType dtype);

  // --- state --------------------------------------------------------------------------------------
  // Parameters and buffers by dotted name; the tensors share storage with the module.
  StateDict state_dict() const;
  // Copies values in. With strict, every key must match and nothing may be missing; without,
  // missing and unexpected keys are skipped. Shapes must always match. All problems are
  // reported together in one exception naming the keys and shapes, before anything is copied:
  // a ShapeError if a shape differs, else a ValueError.
  void load_state_dict(const StateDict& state, bool strict = true);

  // A Keras-like table of the layers (runs one forward pass on zeros of shape
  // (1, input_shape...), and reports each output's leading dimension as batch_size, so no
  // batch is allocated): layer, output shape, parameters; then totals and the memory
  // of the activations, the parameters and the optimizer state (optimizer_slots tensors the
  // size of each parameter: 2 for Adam, 1 for SGD with momentum). The forward pass runs in
  // the current mode, and the generators are restored afterwards, so a summary does not
  // change the draws of a training run.
  std::string summary(const Shape& input_shape, std::int64_t batch_size, int optimizer_slots = 2);

 protected:
  // Registers a trainable parameter (a leaf that requires grad) and returns it.
  Variable register_parameter(std::string name, Tensor value);
  // Registers state that is saved but not trained (e.g. running statistics). It is held as a
  // Variable that does not require grad, so that to() and load_state_dict() reach the
  // layer's own handle.
  Variable register_buffer(std::string name, Tensor value);
  // Registers a child module and returns it, so constructors can write
  //   fc1(register_module("fc1", std::make_shared<Linear>(...)))
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }
  // Registers a random generator owned by this module.
  void register_generator(Generator* generator) { generators_.push_back(generator); }

 private:
  void add_child(std::string name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name) const;

  bool training_ = true;
  std::vector<std::pair<std::string, Variable>> parameters_;
  std::vector<std::pair<std::string, Variable>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::vector<Generator*> generators_;
};

// Evaluation mode while alive (dropout off, a VAE's code its mean), then back to the mode the
// module was in, also when an exception leaves the scope.
//   { EvalModeGuard eval_mode(model); ... model(x) ... }
class EvalModeGuard {
 public:
  explicit EvalModeGuard(Module& model) : model_(model), was_training_(model.is_training()) {
    model_.eval();
  }
  ~EvalModeGuard() { model_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  Module& model_;
  bool was_training_;
};

}  // namespace xtgrad::nn
