#include "nn/check_layer.hpp"

#include <unordered_set>

#include "autograd/all.hpp"
#include "autograd/node.hpp"

namespace xtgrad::nn {

namespace {

// The outputs as one number that depends on every output element: sum(y * weights).
Variable weighted_sum(Module& layer, const Variable& x, const Tensor& weights) {
  return sum(layer(x) * Variable(weights));
}

// The shapes of the leaves that require grad behind y but are not registered parameters of
// `layer`: Variables the layer trains without register_parameter.
std::vector<Shape> unregistered_parameters(const Module& layer, const Variable& y) {
  std::unordered_set<const VariableImpl*> registered;
  for (const Variable& p : layer.parameters()) registered.insert(p.impl().get());
  std::vector<Shape> found;
  std::unordered_set<const VariableImpl*> reported;
  std::unordered_set<const Node*> seen;
  std::vector<const Node*> stack;
  if (y.grad_fn()) stack.push_back(y.grad_fn().get());
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    if (!seen.insert(node).second) continue;
    for (const Edge& e : node->next_edges) {
      if (e.node) stack.push_back(e.node.get());
      if (e.leaf && registered.count(e.leaf.get()) == 0 && reported.insert(e.leaf.get()).second) {
        found.push_back(e.leaf->data.shape());
      }
    }
  }
  return found;
}

// Whether two forward passes in training mode agree once the registered generators are
// restored: otherwise the layer draws from a generator that checks cannot replay.
bool draws_replay(Module& layer, const Tensor& x64) {
  NoGradGuard no_grad;
  const GeneratorSnapshot generators(layer.generators());
  const Tensor first = layer(Variable(x64)).data();
  generators.restore();
  const Tensor second = layer(Variable(x64)).data();
  generators.restore();
  return allclose(first, second, 0, 0);
}

void check_gradients(Module& layer, const Tensor& x64, const Tensor& weights,
                     LayerCheckReport& report) {
  std::vector<Variable> inputs{Variable(x64.clone(), true)};
  for (const Variable& p : layer.parameters()) inputs.push_back(p);
  GradcheckOptions options;
  options.replay = layer.generators();
  const GradcheckReport r = gradcheck(
      [&](const std::vector<Variable>& in) { return weighted_sum(layer, in[0], weights); }, inputs,
      options);
  if (!r.passed) report.failures.push_back("gradcheck: " + r.message);
}

void check_accumulation(Module& layer, const Tensor& x64, const Tensor& weights,
                        LayerCheckReport& report) {
  const GeneratorSnapshot generators(layer.generators());  // both passes draw the same masks
  // The input takes part too, so that layers without parameters are checked as well.
  std::vector<std::pair<std::string, Variable>> targets{{"the input", Variable(x64.clone(), true)}};
  for (const auto& named : layer.named_parameters()) targets.push_back(named);
  auto run = [&] {
    generators.restore();
    weighted_sum(layer, targets[0].second, weights).backward();
  };
  layer.zero_grad();
  run();
  std::vector<Tensor> once;
  for (const auto& [name, v] : targets)
    once.push_back(v.grad().defined() ? v.grad().data().clone() : Tensor());
  run();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const Variable& g = targets[i].second.grad();
    if (!once[i].defined() || !g.defined()) {
      report.failures.push_back("accumulation: " + targets[i].first + " received no gradient");
    } else if (!allclose(g.data(), once[i] * 2.0, 1e-10, 1e-12)) {
      report.failures.push_back("accumulation: the gradient of " + targets[i].first +
                                " after two backward passes is not twice the first: it was "
                                "overwritten instead of added to");
    }
  }
  layer.zero_grad();
}

void check_modes(Module& layer, const Tensor& x64, LayerCheckReport& report) {
  layer.eval();
  bool all_eval = true;
  std::vector<const Module*> stack{&layer};
  while (!stack.empty()) {
    const Module* m = stack.back();
    stack.pop_back();
    all_eval = all_eval && !m->is_training();
    for (const auto& [name, child] : m->children()) stack.push_back(child.get());
  }
  if (!all_eval) report.failures.push_back("modes: eval() did not reach every child module");
  NoGradGuard no_grad;
  if (!allclose(layer(Variable(x64)).data(), layer(Variable(x64)).data(), 0, 0)) {
    report.failures.push_back("modes: two forward passes in evaluation mode differ");
  }
  layer.train();
}

void check_state_dict(const LayerFactory& make, Module& layer, const Tensor& x64,
                      LayerCheckReport& report) {
  std::shared_ptr<Module> copy = make();
  copy->to(DType::float64);
  copy->load_state_dict(layer.state_dict());
  layer.eval();
  copy->eval();
  NoGradGuard no_grad;
  if (!allclose((*copy)(Variable(x64)).data(), layer(Variable(x64)).data(), 0, 0)) {
    report.failures.push_back(
        "state_dict: a copy loaded from state_dict() computes different outputs");
  }
  layer.train();
}

}  // namespace

std::string LayerCheckReport::summary() const {
  if (passed) return "check_layer: passed";
  std::string s = "check_layer: " + std::to_string(failures.size()) + " failure(s)";
  for (const std::string& f : failures) s += "\n  - " + f;
  return s;
}

LayerCheckReport check_layer(const LayerFactory& make, const Shape& input_shape, std::uint64_t seed,
                             bool unit_interval) {
  LayerCheckReport report;
  Generator gen(seed);
  const Tensor x64 = unit_interval ? uniform(input_shape, 0.05, 0.95, gen, DType::float64)
                                   : uniform(input_shape, -1.0, 1.0, gen, DType::float64);
  std::shared_ptr<Module> layer = make();
  {
    // Recorded (the input does not require grad), so the graph shows what the layer trains.
    const Variable y32 = (*layer)(Variable(x64.to(DType::float32)));
    if (y32.dtype() != DType::float32) {
      report.failures.push_back("dtype: float32 input gave a " + dtype_name(y32.dtype()) +
                                " output");
    }
    const std::vector<Shape> unregistered = unregistered_parameters(*layer, y32);
    for (const Shape& shape : unregistered) {
      report.failures.push_back(
          "registration: forward uses a Variable of shape " + shape_str(shape) +
          " that requires "
          "grad but is not a registered parameter: register it with register_parameter, or "
          "parameters(), to(), state_dict() and the optimizers will not see it");
    }
    if (!unregistered.empty()) {  // the checks below would only fail for the same reason
      report.passed = false;
      return report;
    }
  }
  try {
    layer->to(DType::float64);
    Tensor weights;
    {
      NoGradGuard no_grad;
      const GeneratorSnapshot generators(layer->generators());  // this pass only finds the shape
      weights = randn((*layer)(Variable(x64)).shape(), gen, DType::float64);
      generators.restore();
    }
    if (draws_replay(*layer, x64)) {
      check_gradients(*layer, x64, weights, report);
      check_accumulation(*layer, x64, weights, report);
    } else {  // gradients cannot be checked: every evaluation draws differently
      report.failures.push_back(
          "random draws: two forward passes in training mode differ although the registered "
          "generators were restored: the layer draws from a generator it did not register "
          "(register_generator), so the gradient checks cannot replay its draws");
    }
    check_modes(*layer, x64, report);
    check_state_dict(make, *layer, x64, report);
  } catch (const DTypeError& e) {
    report.failures.push_back(
        std::string("dtype: after to(DType::float64), forward failed (") + e.what() +
        "): the layer holds a tensor that to() does not convert: register trained values with "
        "register_parameter and other state with register_buffer");
  }
  report.passed = report.failures.empty();
  return report;
}

}  // namespace xtgrad::nn
