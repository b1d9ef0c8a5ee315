// The backward pass over the recorded graph (see engine.hpp).
#include "autograd/engine.hpp"

#include <cmath>
#include <queue>
#include <unordered_map>

#include "autograd/anomaly.hpp"
#include "autograd/node.hpp"
#include "autograd/ops.hpp"
#include "tensor/creation.hpp"
#include "tensor/math.hpp"
#include "tensor/reduce.hpp"

namespace xtgrad {

namespace {

// Where gradients end up, the one hook object of a backward pass: backward() adds them to the
// leaves' grad() and to the outputs that retain_grad(); grad() captures those of its inputs and
// touches no grad() field.
struct Sink {
  bool capture = false;
  std::unordered_map<const VariableImpl*, std::size_t> leaf_index;  // captured leaves
  std::unordered_map<const Node*, std::size_t> node_index;          // captured non-leaves
  std::vector<Variable> captured;

  void leaf_gradient(const std::shared_ptr<VariableImpl>& leaf, const Variable& g,
                     bool create_graph);
  void output_gradient(const Node& node, const Variable& g, bool create_graph);
};

// [book:accumulate]
// total += g, recorded when building a graph of the backward pass.
void accumulate(Variable& total, const Variable& g, bool create_graph) {
  if (!total.defined()) {
    // NOTE: a gradient may be shared (add's backward passes one Variable to both inputs, and
    // grad_output is the user's), so the first one stored is a copy, since later additions in
    // place must not reach the others; with create_graph the copy is recorded (g * 1). A fresh
    // gradient, held by no one but the caller (one reference to the Variable, one to its
    // storage), is kept instead of copied, as PyTorch does.
    const bool fresh =
        g.impl().use_count() == 1 && g.impl()->data.sole_owner() && !g.requires_grad();
    if (create_graph) {
      total = g * 1.0;
    } else {
      total = fresh ? g : Variable(g.data().clone());
    }
  } else if (create_graph) {
    total = total + g;
  } else {
    Tensor t = total.data();
    t.add_(g.data());
  }
}
// [/book:accumulate]

// g has reached a leaf.
void Sink::leaf_gradient(const std::shared_ptr<VariableImpl>& leaf, const Variable& g,
                         bool create_graph) {
  if (g.shape() != leaf->data.shape() || g.dtype() != leaf->data.dtype()) {
    throw AutogradError("backward: a leaf now holds " + dtype_name(leaf->data.dtype()) + " " +
                        shape_str(leaf->data.shape()) + " but its gradient is " +
                        dtype_name(g.dtype()) + " " + shape_str(g.shape()) +
                        ": set_data() changed it after the forward pass");
  }
  if (!capture) {
    accumulate(leaf->grad, g, create_graph);
    return;
  }
  auto it = leaf_index.find(leaf.get());
  if (it != leaf_index.end()) accumulate(captured[it->second], g, create_graph);
}

// g is the whole gradient of node's output, about to be passed back through the node.
void Sink::output_gradient(const Node& node, const Variable& g, bool create_graph) {
  if (!capture) {
    for (const auto& weak : node.retained_grads) {
      if (auto impl = weak.lock()) accumulate(impl->grad, g, create_graph);
    }
    return;
  }
  auto it = node_index.find(&node);
  if (it != node_index.end()) accumulate(captured[it->second], g, create_graph);
}

// [book:compute_dependencies]
// What the backward pass knows about one node while it runs.
struct NodeTask {
  int dependencies = 0;                // edges into the node from nodes that have not run yet
  Variable grad;                       // the sum of the gradients that reached its output so far
  const Node* reached_from = nullptr;  // the node whose backward sent it its first gradient
};
using Tasks = TapeMap<Node*, NodeTask>;  // (the tape's containers: tape_memory.hpp)

// For every node reachable from the roots: how many edges lead into it.
Tasks compute_dependencies(const NodeList& roots) {
  Tasks tasks;
  NodeList stack;
  for (Node* r : roots) {
    if (tasks.emplace(r, NodeTask()).second) stack.push_back(r);
  }
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges) {
      if (!e.node) continue;
      auto [it, first_visit] = tasks.emplace(e.node.get(), NodeTask());
      ++it->second.dependencies;
      if (first_visit) stack.push_back(e.node.get());
    }
  }
  return tasks;
}
// [/book:compute_dependencies]

// "sum <- mul <- pow": the ops backward went through from an output to `node`.
std::string path_to(const Node* node, const Tasks& tasks) {
  std::string path = node->name();
  for (auto it = tasks.find(const_cast<Node*>(node));
       it != tasks.end() && it->second.reached_from != nullptr;
       it = tasks.find(const_cast<Node*>(it->second.reached_from))) {
    path = std::string(it->second.reached_from->name()) + " <- " + path;
  }
  return path;
}

// "the backward of mul (reached from the output by sum <- mul): "
std::string in_backward_of(const Node& node, const Tasks& tasks) {
  return std::string("the backward of ") + node.name() + " (reached from the output by " +
         path_to(&node, tasks) + "): ";
}

// Rethrows the exception being handled with `where` in front of its message, as its own type;
// xtgrad's error types get `where`, any other exception type passes unchanged (its catcher may
// rely on it, as the exercises' checker does on NotDoneYet).
[[noreturn]] void rethrow_with(const std::string& where) {
  try {
    throw;
  } catch (const AutogradError& e) {
    throw AutogradError(where + e.what());
  } catch (const ShapeError& e) {
    throw ShapeError(where + e.what());
  } catch (const DTypeError& e) {
    throw DTypeError(where + e.what());
  } catch (const IndexError& e) {
    throw IndexError(where + e.what());
  } catch (const ValueError& e) {
    throw ValueError(where + e.what());
  }
}

// Checks what a backward rule returned against the inputs of its node.
void check_grads(const Node& node, const Grads& grads, const Tasks& tasks) {
  if (grads.size() != node.next_edges.size()) {
    throw AutogradError(in_backward_of(node, tasks) + "returned " + std::to_string(grads.size()) +
                        " gradients for " + std::to_string(node.next_edges.size()) + " inputs");
  }
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined() || !node.next_edges[i].defined()) continue;
    if (grads[i].shape() != node.input_meta[i].shape) {
      throw AutogradError(in_backward_of(node, tasks) + "returned a gradient of shape " +
                          shape_str(grads[i].shape()) + " for input " + std::to_string(i) +
                          " of shape " + shape_str(node.input_meta[i].shape) +
                          " (a broadcast input needs its gradient reduced with sum_to)");
    }
    if (grads[i].dtype() != node.input_meta[i].dtype) {
      throw AutogradError(in_backward_of(node, tasks) + "returned a " +
                          dtype_name(grads[i].dtype()) + " gradient for a " +
                          dtype_name(node.input_meta[i].dtype) + " input " + std::to_string(i));
    }
  }
}

// Anomaly detection: throws AutogradError when a node's backward made a non-finite gradient out
// of a finite one.
void check_backward(const Node& node, const Variable& grad_output, const Grads& grads,
                    const Tasks& tasks) {
  if (!detail::all_finite(grad_output.data())) return;  // carried on, not made here
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined() || detail::all_finite(grads[i].data())) continue;
    const Edge& edge = node.next_edges[i];
    const std::string input =
        edge.node ? std::string("the output of ") + edge.node->name() : "a leaf";
    const bool nan = std::isnan(max(abs(grads[i].data())).item());
    throw AutogradError(std::string("detect_anomaly: the backward of ") + node.name() + " made " +
                        (nan ? "nan" : "inf") + " out of a finite gradient, for its input " +
                        std::to_string(i) + " (" + input + ", " + dtype_name(grads[i].dtype()) +
                        " " + shape_str(grads[i].shape()) + "); reached from the output by " +
                        path_to(&node, tasks));
  }
}

// Runs a node's backward rule and checks what it returned. An error inside the rule is
// rethrown naming the op and its path from the output.
Grads evaluate_function(Node& node, const Variable& grad_output, const Tasks& tasks) {
  Grads grads;
  try {
    // The ops inside a backward rule are not checked one by one: the rule's result is.
    DetectAnomalyGuard forward_checks_off(false);
    grads = node.backward(grad_output);
  } catch (const Error&) {
    rethrow_with(in_backward_of(node, tasks));
  }
  check_grads(node, grads, tasks);
  if (anomaly_detection_enabled()) check_backward(node, grad_output, grads, tasks);
  return grads;
}

// Passes each input's gradient on: into a leaf (through the sink), or into the task of the
// node that produced the input, where it waits until that node runs.
void send_gradients(const Node& node, const Grads& grads, Tasks& tasks, Sink& sink,
                    bool create_graph) {
  for (std::size_t i = 0; i < grads.size(); ++i) {
    const Edge& edge = node.next_edges[i];
    if (!grads[i].defined()) continue;
    if (edge.leaf) sink.leaf_gradient(edge.leaf, grads[i], create_graph);
    if (edge.node) {
      NodeTask& next = tasks[edge.node.get()];
      accumulate(next.grad, grads[i], create_graph);
      if (next.reached_from == nullptr) next.reached_from = &node;
    }
  }
}

struct NewestFirst {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr < b->sequence_nr; }
};
// The nodes whose every input gradient has arrived, the most recently recorded first.
using ReadyQueue = std::priority_queue<Node*, NodeList, NewestFirst>;

// The outputs' nodes and the gradients of their outputs, each checked against its output;
// an output that is itself a leaf gets its gradient at once.
struct Roots {
  NodeList nodes;
  Grads grads;
};
Roots collect_roots(const Variable* outputs, const Variable* grad_outputs, std::size_t count,
                    Sink& sink, bool create_graph) {
  Roots roots;
  for (std::size_t i = 0; i < count; ++i) {
    const Variable& y = outputs[i];
    if (!y.requires_grad()) {
      throw AutogradError("backward: output " + std::to_string(i) + " of shape " +
                          shape_str(y.shape()) +
                          " does not require grad and has no grad_fn "
                          "(no input of its computation requires gradients)");
    }
    Variable g = grad_outputs == nullptr ? Variable() : grad_outputs[i];
    if (!g.defined()) {
      if (y.numel() != 1) {
        throw ValueError("backward: output " + std::to_string(i) + " has shape " +
                         shape_str(y.shape()) +
                         "; grad_output can be omitted only for a "
                         "one-element output");
      }
      g = Variable(ones(y.shape(), y.dtype()));
    } else if (g.shape() != y.shape()) {
      throw ShapeError("backward: grad_output of shape " + shape_str(g.shape()) +
                       " does not match output " + std::to_string(i) + " of shape " +
                       shape_str(y.shape()));
    } else if (g.dtype() != y.dtype()) {
      throw DTypeError("backward: grad_output is " + dtype_name(g.dtype()) + " but output " +
                       std::to_string(i) + " is " + dtype_name(y.dtype()));
    }
    if (y.grad_fn()) {
      roots.nodes.push_back(y.grad_fn().get());
      roots.grads.push_back(std::move(g));
    } else {
      sink.leaf_gradient(y.impl(), g, create_graph);
    }
  }
  return roots;
}

// The roots' gradients go into their tasks, and the roots nothing else feeds are ready.
ReadyQueue seed(const Roots& roots, Tasks& tasks, bool create_graph) {
  ReadyQueue ready;
  for (std::size_t i = 0; i < roots.nodes.size(); ++i)
    accumulate(tasks[roots.nodes[i]].grad, roots.grads[i], create_graph);
  for (Node* r : roots.nodes) {
    if (tasks[r].dependencies == 0) {
      tasks[r].dependencies = -1;  // queued once, even if it is the root of two outputs
      ready.push(r);
    }
  }
  return ready;
}

// outputs[0..count) and their grad_outputs (grad_outputs == nullptr: all omitted).
void run_backward(const Variable* outputs, const Variable* grad_outputs, std::size_t count,
                  bool retain_graph, bool create_graph, Sink& sink) {
  // [book:create_graph]
  retain_graph = retain_graph || create_graph;
  GradModeGuard mode(create_graph);
  // [/book:create_graph]
  const Roots roots = collect_roots(outputs, grad_outputs, count, sink, create_graph);
  // [book:loop]
  Tasks tasks = compute_dependencies(roots.nodes);
  ReadyQueue ready = seed(roots, tasks, create_graph);
  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    Variable grad_output = std::move(tasks[node].grad);  // taken, so that it is freed once used
    if (grad_output.defined()) {
      sink.output_gradient(*node, grad_output, create_graph);            // retain_grad(), grad()
      const Grads grads = evaluate_function(*node, grad_output, tasks);  // run its rule, checked
      send_gradients(*node, grads, tasks, sink, create_graph);           // to inputs' nodes, leaves
    }
    for (const Edge& edge : node->next_edges) {  // a node is ready once all that feed it have run
      if (edge.node && --tasks[edge.node.get()].dependencies == 0) ready.push(edge.node.get());
    }
    if (!retain_graph) node->context().release();  // what forward saved for backward goes now
  }
  // [/book:loop]
}

// run_backward on the lists of backward() and grad(): grad_outputs is empty (all omitted) or
// has one gradient per output (ValueError naming `op` otherwise).
void run_backward(const char* op, const std::vector<Variable>& outputs,
                  const std::vector<Variable>& grad_outputs, bool retain_graph, bool create_graph,
                  Sink& sink) {
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size()) {
    throw ValueError(std::string(op) + ": " + std::to_string(outputs.size()) + " outputs but " +
                     std::to_string(grad_outputs.size()) + " grad_outputs");
  }
  run_backward(outputs.data(), grad_outputs.empty() ? nullptr : grad_outputs.data(), outputs.size(),
               retain_graph, create_graph, sink);
}

}  // namespace

void backward(const std::vector<Variable>& outputs, const std::vector<Variable>& grad_outputs,
              bool retain_graph, bool create_graph) {
  Sink sink;
  run_backward("backward", outputs, grad_outputs, retain_graph, create_graph, sink);
}

namespace detail {

void backward_one(const Variable& output, const Variable& grad_output, bool retain_graph,
                  bool create_graph) {
  Sink sink;
  run_backward(&output, grad_output.defined() ? &grad_output : nullptr, 1, retain_graph,
               create_graph, sink);
}

}  // namespace detail

std::vector<Variable> grad(const std::vector<Variable>& outputs,
                           const std::vector<Variable>& inputs,
                           const std::vector<Variable>& grad_outputs, bool retain_graph,
                           bool create_graph, bool allow_unused) {
  Sink sink;
  sink.capture = true;
  sink.captured.resize(inputs.size());
  std::vector<std::size_t> first(inputs.size());  // an input listed twice gets the same gradient
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Variable& x = inputs[i];
    if (!x.requires_grad()) {
      throw AutogradError("grad: input " + std::to_string(i) + " of shape " + shape_str(x.shape()) +
                          " does not require grad");
    }
    first[i] = x.grad_fn() ? sink.node_index.emplace(x.grad_fn().get(), i).first->second
                           : sink.leaf_index.emplace(x.impl().get(), i).first->second;
  }
  run_backward("grad", outputs, grad_outputs, retain_graph, create_graph, sink);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    sink.captured[i] = sink.captured[first[i]];
    if (!sink.captured[i].defined() && !allow_unused) {
      throw AutogradError("grad: input " + std::to_string(i) + " of shape " +
                          shape_str(inputs[i].shape()) +
                          " was not used to compute the outputs "
                          "(pass allow_unused=true to get an undefined gradient instead)");
    }
  }
  return sink.captured;
}

}  // namespace xtgrad
