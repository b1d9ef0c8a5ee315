// What apply() does once an op's forward has run: the node joins the graph (see function.hpp).
#include "autograd/function.hpp"

#include <utility>

namespace xtgrad {

namespace detail {

bool any_requires_grad(const Variable* const* inputs, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if (inputs[i]->requires_grad()) return true;
  }
  return false;
}

Variable record(Node& node, const Variable* const* inputs, std::size_t count, Tensor output,
                const std::shared_ptr<Node>& owner) {
  if (!is_floating(output.dtype())) {
    return Variable(std::move(output));  // integer and boolean results are not differentiable
  }
  node.next_edges.resize(count);
  node.input_meta.reserve(count);
  // [book:record_edges]
  for (std::size_t i = 0; i < count; ++i) {
    const Variable& in = *inputs[i];
    if (in.grad_fn()) {
      node.next_edges[i].node = in.grad_fn();  // made by an op: its gradient goes to that node
    } else if (in.requires_grad()) {
      node.next_edges[i].leaf = in.impl();  // a leaf: its gradient goes to its grad()
    }  // otherwise no edge: nothing behind this input wants a gradient
    node.input_meta.push_back({in.shape(), in.dtype()});  // what backward checks its result against
    if (KeepInputsGuard::active()) node.kept_inputs.push_back(in.data());
  }
  // [/book:record_edges]
  node.output_shape = output.shape();
  node.output_dtype = output.dtype();
  node.sequence_nr = next_sequence_nr();
  Variable result = Variable::from_node(std::move(output), owner);
  if (node.context().wants_output()) node.context().store_output(result);
  return result;
}

}  // namespace detail

}  // namespace xtgrad
