// Node-by-node gradient checking (see check_nodes in gradcheck.hpp).
//
// f runs once with every node keeping its input values. Then each node, in the order the ops
// ran, is checked on its own: its backward with a random output gradient v gives the
// vector-Jacobian product v^T J; finite differences of its forward give the same product
// numerically, one input element at a time: (<v, y(x + eps e_j)> - <v, y(x - eps e_j)>) / 2 eps.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_set>

#include "autograd/gradcheck.hpp"
#include "autograd/node.hpp"
#include "tensor/all.hpp"

namespace xtgrad {

namespace {

// Every node behind the outputs, in the order they were recorded.
std::vector<std::shared_ptr<Node>> nodes_in_order(const std::vector<Variable>& outputs) {
  std::vector<std::shared_ptr<Node>> nodes;
  std::unordered_set<Node*> seen;
  std::vector<std::shared_ptr<Node>> stack;
  for (const Variable& y : outputs) {
    if (y.grad_fn() && seen.insert(y.grad_fn().get()).second) stack.push_back(y.grad_fn());
  }
  while (!stack.empty()) {
    std::shared_ptr<Node> n = stack.back();
    stack.pop_back();
    nodes.push_back(n);
    for (const Edge& e : n->next_edges) {
      if (e.node && seen.insert(e.node.get()).second) stack.push_back(e.node);
    }
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const auto& a, const auto& b) { return a->sequence_nr < b->sequence_nr; });
  return nodes;
}

// <v, y> for the output of forward_again.
double dot(const Tensor& v, const Tensor& y) { return sum(v * y).item(); }

// Checks input i of one node, every element (each one counted in `tally`); returns an error
// message naming the first element that fails, or "" when all pass.
std::string check_input(const Node& node, std::size_t i, const Tensor& v, const Variable& analytic,
                        const GradcheckOptions& o, detail::ErrorTally& tally) {
  const Shape& shape = node.input_meta[i].shape;
  if (analytic.defined() && analytic.shape() != shape) {
    return "backward returned a gradient of shape " + shape_str(analytic.shape()) +
           " for an input of shape " + shape_str(shape) + " (missing sum_to?)";
  }
  const std::vector<double> ana =
      analytic.defined() ? analytic.data().to_vector<double>()
                         : std::vector<double>(static_cast<std::size_t>(shape_numel(shape)), 0.0);
  std::vector<Tensor> in;
  for (const Tensor& t : node.kept_inputs) in.push_back(t.clone());  // perturb copies only
  double* x = in[i].data<double>();
  std::string problem;
  for (std::size_t j = 0; j < ana.size(); ++j) {
    const double original = x[j];
    x[j] = original + o.eps;
    const double plus = dot(v, node.forward_again(in));
    x[j] = original - o.eps;
    const double minus = dot(v, node.forward_again(in));
    x[j] = original;
    const double numeric = (plus - minus) / (2 * o.eps);
    tally.add(ana[j], numeric);
    if (problem.empty() && !(std::abs(ana[j] - numeric) <= o.atol + o.rtol * std::abs(numeric))) {
      std::ostringstream msg;
      msg.precision(10);
      msg << "element " << j << " of " << shape_str(shape) << ": numeric " << numeric
          << ", analytic " << ana[j];
      problem = msg.str();
    }
  }
  return problem;
}

}  // namespace

GradcheckReport check_nodes(const MultiFunction& f, const std::vector<Variable>& inputs,
                            const GradcheckOptions& options) {
  detail::check_float64("check_nodes", inputs);
  const GeneratorSnapshot generators(options.replay);
  std::vector<Variable> outputs;
  {
    KeepInputsGuard keep;
    GradModeGuard recording(true);
    outputs = f(inputs);
  }
  generators.restore();

  GradcheckReport report;
  detail::ErrorTally tally;
  Generator gen(options.seed);
  const std::vector<std::shared_ptr<Node>> nodes = nodes_in_order(outputs);
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    Node& node = *nodes[k];
    if (node.output_dtype != DType::float64 || node.kept_inputs.size() != node.next_edges.size())
      continue;
    const Tensor v = randn(node.output_shape, gen, DType::float64);
    Grads analytic;
    {
      NoGradGuard no_grad;
      analytic = node.backward(Variable(v));
    }
    for (std::size_t i = 0; i < node.next_edges.size(); ++i) {
      if (!node.next_edges[i].defined()) continue;  // a constant input
      const Variable a = i < analytic.size() ? analytic[i] : Variable();
      const std::string problem = check_input(node, i, v, a, options, tally);
      if (!problem.empty()) {
        report.passed = false;
        report.message = "check_nodes: node " + std::to_string(k) + " (" + node.name() +
                         "), input " + std::to_string(i) + ": " + problem +
                         ". The ops before it passed, so this op's backward rule is wrong";
        tally.write_to(report);
        return report;
      }
    }
  }
  tally.write_to(report);
  return report;
}

GradcheckReport check_nodes(const ScalarFunction& f, const std::vector<Variable>& inputs,
                            const GradcheckOptions& options) {
  return check_nodes(
      MultiFunction([&](const std::vector<Variable>& in) { return std::vector<Variable>{f(in)}; }),
      inputs, options);
}

}  // namespace xtgrad
