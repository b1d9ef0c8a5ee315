#pragma once
// Node: one recorded operation in the graph, and Context: what its forward saved for backward.
//
//      x ──┐                 Variables point to the Node that produced them (grad_fn);
//          ├─ Mul ── y       a Node points to the producers of its inputs (next_edges).
//      w ──┘                 backward() follows these edges from the output to the leaves.
//
// New operations are not written as Node subclasses but as small structs applied with
// apply() (function.hpp), which makes the Node.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograd/variable.hpp"
#include "autograd/tape_memory.hpp"

namespace xtgrad {

// [book:edge]
// Where the gradient of one input goes: to the node that produced it, or, for a leaf that
// requires gradients, into that leaf's grad(). Neither, for a constant.
struct Edge {
  std::shared_ptr<Node> node;
  std::shared_ptr<VariableImpl> leaf;
  bool defined() const { return node != nullptr || leaf != nullptr; }
};
// [/book:edge]

// A Variable saved by forward for use in backward, with the version its data had then.
// Saving the op's own output keeps only its data (keeping the Variable would make a cycle
// output -> node -> output); unpacking gives it back its grad_fn.
class SavedVariable {
 public:
  SavedVariable(const Variable& variable, bool is_output);
  // The saved Variable; throws AutogradError naming `op` if its data changed in place.
  // `owner` is the node that saved it (the grad_fn an unpacked output gets back).
  Variable unpack(const char* op, Node* owner) const;
  const Tensor& data() const { return data_; }

 private:
  Variable variable_;  // inputs only
  Tensor data_;
  bool is_output_;
  std::uint64_t version_;
};

class Context {
 public:
  explicit Context(bool recording) : recording_(recording) {}

  // In forward: keep an input for backward. Order defines the index for saved().
  void save(const Variable& input);
  // In forward: keep the output (the Tensor forward returns) for backward, e.g. sigmoid's y.
  void save_output() { save_output_ = recording_; }
  // In backward: the i-th saved Variable (the output, if saved, comes after the inputs).
  Variable saved(std::size_t i) const;
  // In backward: whether input i needs a gradient (skip the work when it does not).
  bool needs_input_grad(std::size_t i) const;

  // --- for the machinery -------------------------------------------------------------------
  bool recording() const { return recording_; }
  bool wants_output() const { return save_output_; }
  // Links the context to its node and notes which of the `count` inputs require grad.
  void attach(Node* node, const Variable* const* inputs, std::size_t count);
  void store_output(const Variable& output);
  void release();  // frees the saved tensors (after backward without retain_graph)
  bool released() const { return released_; }
  // Total bytes of the saved tensors (for the Graphviz export).
  std::vector<std::pair<Shape, std::int64_t>> saved_shapes_and_bytes() const;

 private:
  bool recording_;
  bool save_output_ = false;
  bool released_ = false;
  Node* node_ = nullptr;
  std::uint64_t needs_input_grad_ = 0;  // bit i: input i requires grad (apply() takes <= 64 inputs)
  TapeVector<SavedVariable> saved_;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // How many nodes exist right now (all threads): a graph that is no longer referenced
  // must bring this back down.
  static std::int64_t live_count();

  // [book:node_backward]
  // The op's name, e.g. "mul".
  virtual const char* name() const = 0;
  // Gradients of the inputs given the gradient of the output. Written with Variable
  // operations, so that with grad mode on (create_graph) they are recorded too.
  virtual Grads backward(const Variable& grad_output) = 0;
  // [/book:node_backward]
  // Recomputes forward from input values (node-by-node gradient checks).
  virtual Tensor forward_again(const std::vector<Tensor>& inputs) const = 0;
  virtual Context& context() = 0;

  // The shape and dtype that the gradient of an input must have.
  struct InputMeta {
    Shape shape;
    DType dtype;
  };
  EdgeList next_edges;               // one per input
  TapeVector<InputMeta> input_meta;  // one per input: to check what backward returns
  Shape output_shape;
  DType output_dtype = DType::float32;
  std::uint64_t sequence_nr = 0;    // creation order: backward runs newest first
  std::vector<Tensor> kept_inputs;  // input values, kept only while recording for checks
  std::vector<std::weak_ptr<VariableImpl>> retained_grads;  // outputs that retain_grad()
};

// While alive, every recorded node also keeps its input values, so that gradcheck's
// node-by-node mode can recompute each op on its own.
class KeepInputsGuard {
 public:
  KeepInputsGuard();
  ~KeepInputsGuard();
  KeepInputsGuard(const KeepInputsGuard&) = delete;
  KeepInputsGuard& operator=(const KeepInputsGuard&) = delete;
  static bool active();

 private:
  bool previous_;
};

// Next value of the node counter (one for all threads): the order in which ops were recorded.
std::uint64_t next_sequence_nr();

}  // namespace xtgrad
