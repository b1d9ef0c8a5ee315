#pragma once
// apply(): how an operation becomes part of the graph. This is also the extension API.
//
// An operation is a struct with a name, a forward on Tensors and a backward on Variables,
// side by side (like torch.autograd.Function). Fields of the struct hold its settings.
//
//   // y = x^3        grad_x = grad_y * 3 x^2
//   struct Cube {
//     static constexpr const char* name = "cube";
//     Tensor forward(Context& ctx, const Variable& x) {
//       ctx.save(x);                             // backward needs x
//       return x.data() * x.data() * x.data();
//     }
//     Grads backward(Context& ctx, const Variable& grad_y) {
//       Variable x = ctx.saved(0);
//       return {grad_y * 3.0 * x * x};          // Variable ops: second derivatives work too
//     }
//   };
//   Variable cube(const Variable& x) { return apply(Cube{}, x); }
//
// Rules: forward computes with Tensor functions and saves what backward needs; backward
// returns one gradient per input, each with its input's shape (reduce broadcast gradients
// with sum_to), or an undefined Variable for "no gradient". gradcheck() tests both.
// tutorials/ has a complete, compiled example.
#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "autograd/anomaly.hpp"
#include "autograd/node.hpp"

namespace xtgrad {

// The Node that a recorded application of Op becomes.
template <class Op, std::size_t N>
class FunctionNode final : public Node {
  static_assert(N <= 64, "Context keeps needs_input_grad in 64 bits");

 public:
  explicit FunctionNode(Op op) : op_(std::move(op)), ctx_(true) {}

  const char* name() const override { return Op::name; }
  Grads backward(const Variable& grad_output) override { return op_.backward(ctx_, grad_output); }
  Context& context() override { return ctx_; }

  Tensor forward_again(const std::vector<Tensor>& inputs) const override {
    return forward_from(inputs, std::make_index_sequence<N>{});
  }

  Op op_;
  Context ctx_;

 private:
  template <std::size_t... I>
  Tensor forward_from(const std::vector<Tensor>& inputs, std::index_sequence<I...>) const {
    Op copy = op_;
    Context scratch(false);
    return copy.forward(scratch, Variable(inputs[I])...);
  }
};

namespace detail {
// Fills the node's edges and input metadata; returns the recorded output.
Variable record(Node& node, const Variable* const* inputs, std::size_t count, Tensor output,
                const std::shared_ptr<Node>& owner);
bool any_requires_grad(const Variable* const* inputs, std::size_t count);
}  // namespace detail

// Runs op.forward on the inputs and, when grad mode is on and some input requires
// gradients, records a node so that backward can run op.backward later.
// [book:apply]
template <class Op, class... Inputs>
Variable apply(Op op, const Inputs&... inputs) {
  static_assert((std::is_same_v<Inputs, Variable> && ...), "apply() takes Variables");
  constexpr std::size_t n = sizeof...(Inputs);
  const std::array<const Variable*, n> in{&inputs...};  // the inputs, not copies of them
  if (!grad_enabled() || !detail::any_requires_grad(in.data(), n)) {
    Context unrecorded(false);
    Tensor output = op.forward(unrecorded, inputs...);
    if (anomaly_detection_enabled()) detail::check_forward(Op::name, in.data(), n, output);
    return Variable(std::move(output));
  }
  auto node = make_on_tape<FunctionNode<Op, n>>(std::move(op));
  node->ctx_.attach(node.get(), in.data(), n);
  Tensor output = node->op_.forward(node->ctx_, inputs...);
  if (anomaly_detection_enabled()) detail::check_forward(Op::name, in.data(), n, output);
  return detail::record(*node, in.data(), n, std::move(output), node);
}
// [/book:apply]

}  // namespace xtgrad
