// Nodes, saved variables and contexts (see node.hpp); the recording itself is in function.cpp.
#include "autograd/node.hpp"

#include <atomic>
#include <utility>

namespace xtgrad {

namespace {

thread_local bool keep_inputs = false;
std::atomic<std::int64_t> live_nodes{0};
std::atomic<std::uint64_t> sequence_counter{0};

// NOTE: freeing a graph is a cascade: a node owns the nodes behind it, which own the
// nodes behind them... Letting destructors call each other would overflow the stack on a
// chain of 100,000 ops. So the outermost dying node keeps a list, every node destroyed while
// it runs hands what it owns to that list, and the outermost one empties it in a loop.
// (A plain pointer: a thread_local vector could already be destroyed when a static graph dies.)
thread_local TapeVector<std::shared_ptr<void>>* pending_release = nullptr;

}  // namespace

std::uint64_t next_sequence_nr() { return sequence_counter++; }

KeepInputsGuard::KeepInputsGuard() : previous_(keep_inputs) { keep_inputs = true; }
KeepInputsGuard::~KeepInputsGuard() { keep_inputs = previous_; }
bool KeepInputsGuard::active() { return keep_inputs; }

Node::Node() { ++live_nodes; }
std::int64_t Node::live_count() { return live_nodes.load(); }

Node::~Node() {
  --live_nodes;
  if (pending_release != nullptr) {  // an outer node is releasing: hand over and return
    for (Edge& edge : next_edges) {
      if (edge.node) pending_release->push_back(std::move(edge.node));
      if (edge.leaf) pending_release->push_back(std::move(edge.leaf));
    }
    return;
  }
  TapeVector<std::shared_ptr<void>> pending;
  pending_release = &pending;
  for (Edge& edge : next_edges) {
    if (edge.node) pending.push_back(std::move(edge.node));
    if (edge.leaf) pending.push_back(std::move(edge.leaf));
  }
  while (!pending.empty()) {
    std::shared_ptr<void> p = std::move(pending.back());
    pending.pop_back();
    p.reset();  // may destroy more nodes, which only add to `pending`
  }
  pending_release = nullptr;
}

// --- saved variables -----------------------------------------------------------------------

SavedVariable::SavedVariable(const Variable& variable, bool is_output)
    : variable_(is_output ? Variable() : variable),
      data_(variable.impl()->data),
      is_output_(is_output),
      version_(data_.version()) {}

Variable SavedVariable::unpack(const char* op, Node* owner) const {
  if (!is_output_ && !variable_.data().shares_storage(data_)) {
    throw AutogradError(std::string(op) +
                        ": a Variable saved for backward got new values from "
                        "set_data() after the forward pass; run forward again after changing it");
  }
  if (data_.version() != version_) {
    throw AutogradError(std::string(op) + ": a tensor of shape " + shape_str(data_.shape()) +
                        " saved for backward was modified in place (version " +
                        std::to_string(version_) + " when saved, " +
                        std::to_string(data_.version()) +
                        " now); use an out-of-place "
                        "operation or clone() it before changing it");
  }
  if (is_output_) {
    // The op's own output, with its history.
    return Variable::from_node(data_, owner ? owner->shared_from_this() : nullptr);
  }
  return variable_;
}

// --- context ---------------------------------------------------------------------------------

void Context::save(const Variable& input) {
  if (recording_) saved_.emplace_back(input, false);
}

void Context::attach(Node* node, const Variable* const* inputs, std::size_t count) {
  node_ = node;
  for (std::size_t i = 0; i < count; ++i) {
    if (inputs[i]->requires_grad()) needs_input_grad_ |= std::uint64_t{1} << i;
  }
  saved_.reserve(count + 1);  // ops save some of their inputs, and perhaps their output
}

void Context::store_output(const Variable& output) { saved_.emplace_back(output, true); }

// [book:released]
Variable Context::saved(std::size_t i) const {
  const char* op = node_ ? node_->name() : "backward";
  if (released_) {
    throw AutogradError(std::string("backward through ") + op +
                        " a second time: its saved tensors were freed by the first backward. "
                        "Pass retain_graph=true to the first backward() to keep them");
  }
  // [/book:released]
  if (i >= saved_.size()) {
    throw AutogradError(std::string(op) + ": saved(" + std::to_string(i) + ") but only " +
                        std::to_string(saved_.size()) + " tensors were saved in forward");
  }
  return saved_[i].unpack(op, node_);
}

bool Context::needs_input_grad(std::size_t i) const {
  return i < 64 && ((needs_input_grad_ >> i) & 1) != 0;
}

void Context::release() {
  // Safe to free directly: a saved input's producer is also held by the node's edges.
  saved_.clear();
  released_ = true;
}

std::vector<std::pair<Shape, std::int64_t>> Context::saved_shapes_and_bytes() const {
  std::vector<std::pair<Shape, std::int64_t>> out;
  for (const SavedVariable& s : saved_) {
    out.emplace_back(s.data().shape(),
                     s.data().numel() * static_cast<std::int64_t>(dtype_size(s.data().dtype())));
  }
  return out;
}

}  // namespace xtgrad
