// Module: registration, traversal, modes, conversion, state dicts and summaries.
#include "nn/module.hpp"

#include <iomanip>
#include <sstream>
#include <unordered_map>

#include "autograd/variable.hpp"
#include "tensor/all.hpp"

namespace xtgrad::nn {

namespace {

// One row of a summary table, recorded by operator() while a summary runs.
struct SummaryRow {
  const Module* module;
  Shape output_shape;
  DType dtype;
};
thread_local std::vector<SummaryRow>* summary_rows = nullptr;

// While alive, operator() records a row per leaf module into `rows`. On exit, normal or by an
// exception, the recording stops and the model's generators are put back: printing a summary
// must not change the dropout masks (or any other draws) of the training run that follows.
class SummaryRecording {
 public:
  SummaryRecording(std::vector<SummaryRow>& rows, const Module& model)
      : generators_(model.generators()) {
    summary_rows = &rows;
  }
  ~SummaryRecording() {
    summary_rows = nullptr;
    generators_.restore();
  }
  SummaryRecording(const SummaryRecording&) = delete;
  SummaryRecording& operator=(const SummaryRecording&) = delete;

 private:
  GeneratorSnapshot generators_;
};

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

template <class Visit>
void walk(const Module& m, const std::string& prefix, Visit& visit) {
  visit(m, prefix);
  for (const auto& [name, child] : m.children()) walk(*child, join(prefix, name), visit);
}

std::string bytes_str(std::int64_t bytes) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2);
  if (bytes >= (1 << 20)) {
    s << static_cast<double>(bytes) / (1 << 20) << " MiB";
  } else {
    s << static_cast<double>(bytes) / 1024 << " KiB";
  }
  return s.str();
}

}  // namespace

const Tensor* find(const StateDict& state, const std::string& name) {
  for (const auto& [key, value] : state) {
    if (key == name) return &value;
  }
  return nullptr;
}

Variable Module::operator()(const Variable& input) {
  Variable output = forward(input);
  if (summary_rows != nullptr && children_.empty()) {
    summary_rows->push_back({this, output.shape(), output.dtype()});
  }
  return output;
}

void Module::check_new_name(const std::string& name) const {
  if (name.empty() || name.find('.') != std::string::npos) {
    throw ValueError("register: name \"" + name + "\" must be non-empty and contain no '.'");
  }
  auto taken = [&](const auto& list) {
    for (const auto& entry : list) {
      if (entry.first == name) return true;
    }
    return false;
  };
  if (taken(parameters_) || taken(buffers_) || taken(children_)) {
    throw ValueError("register: the name \"" + name + "\" is already registered in " + describe());
  }
}

Variable Module::register_parameter(std::string name, Tensor value) {
  check_new_name(name);
  Variable parameter(std::move(value), /*requires_grad=*/true);
  parameter.set_name(name);
  parameters_.emplace_back(std::move(name), parameter);
  return parameter;
}

Variable Module::register_buffer(std::string name, Tensor value) {
  check_new_name(name);
  Variable buffer(std::move(value), /*requires_grad=*/false);
  buffers_.emplace_back(std::move(name), buffer);
  return buffer;
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  check_new_name(name);
  if (!module) {
    throw ValueError("register_module: the module \"" + name + "\" is null");
  }
  children_.emplace_back(std::move(name), std::move(module));
}

std::vector<std::pair<std::string, Variable>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Variable>> out;
  auto visit = [&](const Module& m, const std::string& prefix) {
    for (const auto& [name, p] : m.parameters_) out.emplace_back(join(prefix, name), p);
  };
  walk(*this, "", visit);
  return out;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Tensor>> out;
  auto visit = [&](const Module& m, const std::string& prefix) {
    for (const auto& [name, b] : m.buffers_) out.emplace_back(join(prefix, name), b.data());
  };
  walk(*this, "", visit);
  return out;
}

std::vector<Generator*> Module::generators() const {
  std::vector<Generator*> out;
  auto visit = [&](const Module& m, const std::string&) {
    out.insert(out.end(), m.generators_.begin(), m.generators_.end());
  };
  walk(*this, "", visit);
  return out;
}

std::int64_t Module::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& [name, p] : named_parameters()) n += p.numel();
  return n;
}

void Module::zero_grad() {
  for (auto& [name, p] : named_parameters()) p.zero_grad();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::to(DType dtype) {
  if (!is_floating(dtype)) {
    throw DTypeError("Module::to: parameters must be float32 or float64, not " + dtype_name(dtype));
  }
  for (auto& [name, p] : parameters_) p.set_data(p.data().to(dtype));
  for (auto& [name, b] : buffers_) {
    if (is_floating(b.dtype())) b.set_data(b.data().to(dtype));
  }
  for (auto& [name, child] : children_) child->to(dtype);
}

StateDict Module::state_dict() const {
  StateDict state;
  auto visit = [&](const Module& m, const std::string& prefix) {
    for (const auto& [name, p] : m.parameters_) state.emplace_back(join(prefix, name), p.data());
    for (const auto& [name, b] : m.buffers_) state.emplace_back(join(prefix, name), b.data());
  };
  walk(*this, "", visit);
  return state;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  // Collect every problem first, so one error lists them all.
  std::vector<std::pair<std::string, Variable>> targets;
  auto visit = [&](const Module& m, const std::string& prefix) {
    for (const auto& [name, p] : m.parameters_) targets.emplace_back(join(prefix, name), p);
    for (const auto& [name, b] : m.buffers_) targets.emplace_back(join(prefix, name), b);
  };
  walk(*this, "", visit);
  std::vector<std::string> missing, mismatched, unexpected;
  for (const auto& [name, target] : targets) {
    const Tensor* value = find(state, name);
    if (value == nullptr) {
      missing.push_back(name);
    } else if (value->shape() != target.shape()) {
      mismatched.push_back(name + " (checkpoint " + shape_str(value->shape()) + ", model " +
                           shape_str(target.shape()) + ")");
    }
  }
  for (const auto& [name, value] : state) {
    bool known = false;
    for (const auto& [target_name, target] : targets) known = known || target_name == name;
    if (!known) unexpected.push_back(name);
  }
  auto list = [](const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
  };
  std::string problems;
  if (!mismatched.empty()) problems += " shape mismatch for " + list(mismatched) + ".";
  if (strict && !missing.empty()) problems += " missing keys: " + list(missing) + ".";
  if (strict && !unexpected.empty()) problems += " unexpected keys: " + list(unexpected) + ".";
  if (!mismatched.empty()) {
    throw ShapeError("load_state_dict:" + problems);
  }
  if (!problems.empty()) {
    throw ValueError("load_state_dict:" + problems);
  }
  for (auto& [name, target] : targets) {
    if (const Tensor* value = find(state, name)) {
      Tensor data = target.data();
      data.copy_(value->to(target.dtype()));
    }
  }
}

std::string Module::summary(const Shape& input_shape, std::int64_t batch_size,
                            int optimizer_slots) {
  std::unordered_map<const Module*, std::string> paths;
  auto visit = [&](const Module& m, const std::string& prefix) { paths[&m] = prefix; };
  walk(*this, "", visit);
  DType dtype = DType::float32;
  for (const auto& [name, p] : named_parameters()) dtype = p.dtype();

  // NOTE: the forward pass sees one sample, and each output's leading 1 is then read as
  // batch_size: a summary of a batch of 10^6 must not allocate that batch (it took 9.6 GB).
  Shape shape{1};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  std::vector<SummaryRow> rows;
  {
    NoGradGuard no_grad;
    SummaryRecording recording(rows, *this);
    (*this)(Variable(zeros(shape, dtype)));
  }
  for (SummaryRow& row : rows) {
    if (!row.output_shape.empty() && row.output_shape[0] == 1) row.output_shape[0] = batch_size;
  }
  std::ostringstream out;
  const std::string rule(72, '-');
  out << std::left << std::setw(40) << "Layer" << std::setw(20) << "Output shape" << std::right
      << std::setw(12) << "Parameters"
      << "\n"
      << rule << "\n";
  std::int64_t activation_bytes = 0;
  for (const SummaryRow& row : rows) {
    const std::string path = paths.count(row.module) ? paths[row.module] : "";
    const std::string label = (path.empty() ? "" : path + ": ") + row.module->describe();
    out << std::left << std::setw(40) << label << std::setw(20) << shape_str(row.output_shape)
        << std::right << std::setw(12) << row.module->parameter_count() << "\n";
    activation_bytes +=
        shape_numel(row.output_shape) * static_cast<std::int64_t>(dtype_size(row.dtype));
  }
  const std::int64_t params = parameter_count();
  const std::int64_t param_bytes = params * static_cast<std::int64_t>(dtype_size(dtype));
  out << rule << "\n"
      << "Total parameters: " << params << "\n"
      << "Memory for a batch of " << batch_size << " (" << dtype_name(dtype) << "):\n"
      << "  activations      " << bytes_str(activation_bytes) << "\n"
      << "  parameters       " << bytes_str(param_bytes) << "\n"
      << "  gradients        " << bytes_str(param_bytes) << "\n"
      << "  optimizer state  " << bytes_str(param_bytes * optimizer_slots) << " ("
      << optimizer_slots << " per parameter)\n";
  return out.str();
}

}  // namespace xtgrad::nn
