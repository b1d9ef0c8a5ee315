#pragma once
// Variable: a Tensor that remembers how it was computed, so that gradients can flow back.
//
//   Variable w(randn({784, 32}, gen), /*requires_grad=*/true);   // a leaf: a parameter
//   Variable h = relu(matmul(x, w));                              // non-leaf: has a grad_fn
//   Variable loss = mean(square(h));
//   loss.backward();                                              // fills w.grad()
//
// Every operation on Variables that require gradients records a Node (the op, what it saved
// for backward, and edges to the nodes that produced its inputs). backward() walks these
// nodes from the output back to the leaves. Semantics follow PyTorch's:
//  - leaves (made by the user) accumulate gradients in grad() until zero_grad();
//    non-leaves keep no grad() unless retain_grad() was called;
//  - a node's saved tensors are freed after backward unless retain_graph is true;
//  - inside a NoGradGuard nothing is recorded;
//  - only float32 and float64 Variables can require gradients.
// The graph lives as long as some Variable refers to it: there is no global tape to clear.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.hpp"

namespace xtgrad {

class Node;
struct VariableImpl;

// Errors of the autograd machinery itself: backward through a freed graph, a tensor saved
// for backward that was modified in place, a backward rule returning a wrong shape.
class AutogradError : public Error {
 public:
  using Error::Error;
};

class Variable {
 public:
  // An undefined Variable: "no gradient" or "not given".
  Variable() = default;
  // A leaf holding `data` (shared, not copied). Implicit, so that a Tensor can be used where a
  // Variable is expected; it is then a constant.
  Variable(Tensor data, bool requires_grad = false);  // NOLINT(google-explicit-constructor)

  bool defined() const noexcept { return impl_ != nullptr; }

  // The values. The returned Tensor shares storage: an in-place change to it (data().add_())
  // is an in-place change of this Variable, which backward will detect if the values were saved.
  Tensor data() const;
  const Shape& shape() const;
  DType dtype() const;
  std::int64_t dim() const;
  std::int64_t numel() const;
  double item() const;

  // Replaces the values of a leaf (not recorded), e.g. to convert a parameter's dtype.
  // The gradient is cleared when the shape or dtype changes.
  void set_data(Tensor data);

  bool requires_grad() const;
  // Only leaves can change it: turning it off on a non-leaf is an AutogradError, turning it on
  // does nothing (a non-leaf already requires grad). Only floating dtypes can require it.
  Variable& set_requires_grad(bool requires_grad);
  // True for Variables made by the user rather than by a recorded operation.
  bool is_leaf() const;
  // The node that produced this Variable, or null for leaves.
  const std::shared_ptr<Node>& grad_fn() const;

  // The accumulated gradient (undefined until a backward reaches this Variable). After a
  // backward with create_graph, it is itself a Variable with a history (for second derivatives).
  const Variable& grad() const;
  void zero_grad();
  // Asks a non-leaf to keep its gradient in grad() during backward.
  void retain_grad();

  // The same values with no history: a constant that stops gradients.
  Variable detach() const;

  // Gradients of this Variable with respect to every leaf that led to it, added to their grad().
  // grad_output is d(something)/d(this); it may be omitted (meaning 1) only for one element.
  // NOTE: with create_graph, a leaf's grad() holds a graph that holds the leaf: a reference
  // cycle, as in PyTorch. Call zero_grad() when done with it (or use the functional grad()).
  void backward(const Variable& grad_output = Variable(), bool retain_graph = false,
                bool create_graph = false) const;

  // An optional name, shown by gradcheck messages and the Graphviz export.
  Variable& set_name(std::string name);
  const std::string& name() const;

  // For the autograd machinery: a non-leaf Variable produced by `node`.
  static Variable from_node(Tensor data, std::shared_ptr<Node> node);
  const std::shared_ptr<VariableImpl>& impl() const noexcept { return impl_; }
  bool same(const Variable& other) const noexcept { return impl_ == other.impl_; }

 private:
  std::shared_ptr<VariableImpl> impl_;
};

// The shared state behind a Variable and its copies.
struct VariableImpl {
  Tensor data;
  Variable grad;
  bool requires_grad = false;
  bool retains_grad = false;
  std::shared_ptr<Node> grad_fn;
  std::string name;
};

// --- gradient mode ----------------------------------------------------------------------------

// Whether operations record nodes on this thread (true unless a NoGradGuard is alive).
bool grad_enabled();

// [book:no_grad]
// While alive, nothing is recorded: for evaluation, optimizer steps and initialisation.
//   { NoGradGuard no_grad; w.data().add_(w.grad().data(), -lr); }
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};
// [/book:no_grad]

// Sets grad mode to `enabled` while alive (the engine turns it on for create_graph).
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled);
  ~GradModeGuard();
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace xtgrad
