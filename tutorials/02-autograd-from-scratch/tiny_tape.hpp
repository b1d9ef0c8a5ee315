#pragma once
// A tiny tape: reverse-mode automatic differentiation on scalars, in one file (after
// A. Karpathy's micrograd, https://github.com/karpathy/micrograd, engine.py).
//
//   tiny::Value a(2.0), b(-3.0);
//   tiny::Value y = a * b + a;     // the forward pass records each result's parents
//   y.backward();                  // a.grad() == b + 1 == -2,  b.grad() == a == 2
//
// Each operation computes its value and, right next to it, how to send the gradient of its
// result back to its inputs (the chain rule, one step). backward() visits the nodes in
// reverse topological order, so a node hands on its gradient only once every use of it has
// added its share: gradients are always added (+=), never assigned.
#include <cmath>
#include <functional>
#include <memory>
#include <unordered_set>
#include <vector>

namespace tiny {

// [book:node]
// One number in the graph: its value, d(output)/d(this number), the numbers it was computed
// from, and its backward step, which adds out.grad * d(out)/d(parent) into each parent.
struct Node {
  double data = 0;
  double grad = 0;
  std::vector<std::shared_ptr<Node>> parents;
  std::function<void(Node& out)> backward;
};
// [/book:node]

// [book:no_tape]
// While a NoTape is alive nothing is recorded: results are plain numbers without parents
// (for evaluation and parameter updates, where no gradient is wanted).
inline bool& recording() {
  static thread_local bool on = true;
  return on;
}
struct NoTape {
  bool previous = recording();
  NoTape() { recording() = false; }
  ~NoTape() { recording() = previous; }
};
// [/book:no_tape]

class Value {
 public:
  Value(double data = 0) : node_(std::make_shared<Node>()) { node_->data = data; }  // NOLINT: 2 * x

  double data() const { return node_->data; }
  double grad() const { return node_->grad; }
  void zero_grad() { node_->grad = 0; }

  // A result of an operation: records its parents and backward step unless a NoTape is alive.
  static Value result(double data, const std::vector<Value>& parents,
                      std::function<void(Node&)> backward) {
    Value out(data);
    if (recording()) {
      for (const Value& p : parents) out.node_->parents.push_back(p.node_);
      out.node_->backward = std::move(backward);
    }
    return out;
  }

  // [book:backward]
  // d(this)/d(every node behind it), added into each node's grad.
  void backward() const {
    // Topological order by depth-first search: a node is appended after all its parents.
    std::vector<Node*> order;
    std::unordered_set<Node*> seen;
    std::function<void(Node*)> visit = [&](Node* n) {
      if (!seen.insert(n).second) return;  // a value used twice is visited once
      for (const auto& p : n->parents) visit(p.get());
      order.push_back(n);
    };
    visit(node_.get());
    node_->grad += 1;  // d(out)/d(out)
    // Reversed, each node runs after every node that uses it has added to its grad.
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      if ((*it)->backward) (*it)->backward(**it);
    }
  }
  // [/book:backward]

 private:
  std::shared_ptr<Node> node_;
};

// [book:ops]
// y = a + b          grad_a += g,  grad_b += g
inline Value operator+(const Value& a, const Value& b) {
  return Value::result(a.data() + b.data(), {a, b}, [](Node& out) {
    out.parents[0]->grad += out.grad;
    out.parents[1]->grad += out.grad;
  });
}
// y = a * b          grad_a += g b,  grad_b += g a    (for a * a both land in a: 2 g a)
inline Value operator*(const Value& a, const Value& b) {
  return Value::result(a.data() * b.data(), {a, b}, [](Node& out) {
    Node& a = *out.parents[0];
    Node& b = *out.parents[1];
    a.grad += out.grad * b.data;
    b.grad += out.grad * a.data;
  });
}
// y = x^p            grad_x += g p x^(p-1)
inline Value pow(const Value& x, double p) {
  return Value::result(std::pow(x.data(), p), {x}, [p](Node& out) {
    Node& x = *out.parents[0];
    x.grad += out.grad * p * std::pow(x.data, p - 1);
  });
}
// y = tanh x         grad_x += g (1 - y^2)
inline Value tanh(const Value& x) {
  return Value::result(std::tanh(x.data()), {x}, [](Node& out) {
    out.parents[0]->grad += out.grad * (1 - out.data * out.data);
  });
}
// y = max(x, 0)      grad_x += g [x > 0]
inline Value relu(const Value& x) {
  return Value::result(x.data() > 0 ? x.data() : 0.0, {x},
                       [](Node& out) { out.parents[0]->grad += out.data > 0 ? out.grad : 0.0; });
}
// Composites: no backward of their own, the chain rule goes through the ops above.
inline Value operator-(const Value& x) { return x * -1.0; }
inline Value operator-(const Value& a, const Value& b) { return a + (-b); }
inline Value operator/(const Value& a, const Value& b) { return a * pow(b, -1.0); }
// [/book:ops]

}  // namespace tiny
