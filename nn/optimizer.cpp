// The parts every optimizer shares: the parameter list, the learning rate, zero_grad, the
// default step(closure), option checks and the per-parameter slots of the state dicts.
#include "nn/optimizer.hpp"

#include <sstream>

namespace xtgrad::nn {

Optimizer::Optimizer(std::vector<Variable> parameters, double lr)
    : parameters_(std::move(parameters)), lr_(lr) {
  // (The subclass is not constructed yet, so these messages cannot name it.)
  if (parameters_.empty()) throw ValueError("optimizer got an empty parameter list");
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Variable& p = parameters_[i];
    if (!p.defined()) {
      throw ValueError("optimizer: parameter " + std::to_string(i) + " is undefined");
    }
    if (!p.is_leaf()) {
      throw ValueError("optimizer: parameter " + std::to_string(i) +
                       " is not a leaf (it was computed from others): optimize the leaves it "
                       "comes from, or detach() it");
    }
  }
}

double Optimizer::step(const std::function<double()>& closure) {
  double loss = 0.0;
  {
    GradModeGuard grad_on(true);  // the closure runs backward, whatever the caller's mode
    loss = closure();
  }
  step();
  return loss;
}

void Optimizer::zero_grad() {
  for (Variable& p : parameters_) p.zero_grad();
}

void Optimizer::set_learning_rate(double lr) {
  check_option(lr >= 0.0, "lr", lr, "must be >= 0");
  lr_ = lr;
}

void Optimizer::check_option(bool ok, const std::string& option, double value,
                             const std::string& requirement) const {
  if (ok) return;
  std::ostringstream message;
  message << name() << ": invalid " << option << " " << value << ": " << requirement;
  throw ValueError(message.str());
}

void Optimizer::save_slot(StateDict& state, const std::string& slot,
                          const std::vector<Tensor>& tensors) const {
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].defined()) state.emplace_back(std::to_string(i) + "." + slot, tensors[i]);
  }
}

std::vector<Tensor> Optimizer::load_slot(const StateDict& state, const std::string& slot) const {
  std::vector<Tensor> tensors(parameters_.size());
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const std::string key = std::to_string(i) + "." + slot;
    const Tensor* value = find(state, key);
    if (value == nullptr) continue;  // not allocated yet: made at the next step
    const Variable& p = parameters_[i];
    if (value->shape() != p.shape()) {
      throw ShapeError(name() + ": load_state_dict: \"" + key + "\" has shape " +
                       shape_str(value->shape()) + " but parameter " + std::to_string(i) +
                       " has shape " + shape_str(p.shape()));
    }
    // A copy, so that two optimizers never share (and doubly update) one buffer.
    tensors[i] = value->clone().to(p.dtype());
  }
  return tensors;
}

std::uint64_t Optimizer::state_bytes(std::uint64_t slots) const {
  std::uint64_t bytes = 0;
  for (const Variable& p : parameters_)
    bytes += static_cast<std::uint64_t>(p.numel()) * dtype_size(p.dtype());
  return slots * bytes + 4096;
}

void Optimizer::check_state_keys(const StateDict& state, const std::vector<std::string>& slots,
                                 const std::vector<std::string>& globals) const {
  auto contains = [](const std::vector<std::string>& list, const std::string& s) {
    for (const std::string& item : list) {
      if (item == s) return true;
    }
    return false;
  };
  auto known = [&](const std::string& key) {
    if (contains(globals, key)) return true;
    const std::size_t dot = key.find('.');
    if (dot == std::string::npos || dot == 0) return false;
    const std::string index = key.substr(0, dot);
    if (index.size() > 9 || index.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    if (std::stoull(index) >= parameters_.size()) return false;
    return contains(slots, key.substr(dot + 1));
  };
  std::string unexpected;
  for (const auto& [key, value] : state) {
    if (!known(key)) unexpected += (unexpected.empty() ? "\"" : ", \"") + key + "\"";
  }
  if (unexpected.empty()) return;
  std::string expected;
  for (const std::string& slot : slots) expected += " \"<i>." + slot + "\"";
  for (const std::string& global : globals) expected += " \"" + global + "\"";
  throw ValueError(name() + ": load_state_dict: unexpected keys " + unexpected + " (" + name() +
                   " keeps" + (expected.empty() ? " no state" : expected) + ", i < " +
                   std::to_string(parameters_.size()) + ")");
}

}  // namespace xtgrad::nn
