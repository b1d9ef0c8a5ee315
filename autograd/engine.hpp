#pragma once
// The backward pass: reverse-mode differentiation over the recorded graph.
//
// The nodes reachable from the outputs are counted (how many edges lead into each), then run
// in an order where every node runs after all the nodes that feed it a gradient (Kahn's
// topological order, newest first among the ready ones). No recursion, so a chain of 100,000
// ops works. Gradients reaching the same node or leaf are summed.
#include <vector>

#include "autograd/variable.hpp"

namespace xtgrad {

// Adds d(sum_i <grad_outputs[i], outputs[i]>)/d(leaf) into each leaf's grad().
// grad_outputs may be empty when every output has one element (then 1 is used).
// create_graph records the backward computation (for higher derivatives); it implies
// retain_graph. Without retain_graph, the saved tensors are freed as backward goes.
void backward(const std::vector<Variable>& outputs, const std::vector<Variable>& grad_outputs = {},
              bool retain_graph = false, bool create_graph = false);

// The gradients of the outputs with respect to `inputs` (leaves or not), returned instead of
// accumulated into grad(). An input the outputs do not depend on throws AutogradError unless
// allow_unused, in which case its gradient is undefined.
//   Variable dy_dx = grad({y}, {x}, {}, false, /*create_graph=*/true)[0];   // then grad again
std::vector<Variable> grad(const std::vector<Variable>& outputs,
                           const std::vector<Variable>& inputs,
                           const std::vector<Variable>& grad_outputs = {},
                           bool retain_graph = false, bool create_graph = false,
                           bool allow_unused = false);

namespace detail {
// backward() of one output, for Variable::backward (no list to build).
void backward_one(const Variable& output, const Variable& grad_output, bool retain_graph,
                  bool create_graph);
}  // namespace detail

}  // namespace xtgrad
