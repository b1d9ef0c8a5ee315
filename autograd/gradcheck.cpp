// Gradient checking by central differences (see gradcheck.hpp).
#include "autograd/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "autograd/engine.hpp"
#include "autograd/gradcheck_hints.hpp"
#include "autograd/node.hpp"
#include "autograd/ops.hpp"
#include "tensor/all.hpp"

namespace xtgrad {

namespace detail {

void check_float64(const char* op, const std::vector<Variable>& inputs) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].requires_grad() && inputs[i].dtype() != DType::float64) {
      throw DTypeError(std::string(op) + ": input " + std::to_string(i) + " is " +
                       dtype_name(inputs[i].dtype()) +
                       "; finite differences need float64 "
                       "(convert with .to(DType::float64))");
    }
  }
}

void ErrorTally::add(double analytic, double numeric) {
  const double err = std::abs(analytic - numeric);
  max_abs_ = std::max(max_abs_, err);
  const double scale = std::max(std::abs(analytic), std::abs(numeric));
  if (scale > 0) worst_relative_ = std::max(worst_relative_, err / scale);
  diff2_ += (numeric - analytic) * (numeric - analytic);
  sum2_ += (numeric + analytic) * (numeric + analytic);
}

void ErrorTally::write_to(GradcheckReport& report) const {
  report.max_abs_error = max_abs_;
  report.worst_relative_error = worst_relative_;
  report.ufldl_ratio = sum2_ > 0 ? std::sqrt(diff2_) / std::sqrt(sum2_) : 0.0;
}

}  // namespace detail

namespace {

using detail::check_float64;
using detail::ErrorTally;
using detail::Jacobian;
using detail::kIgnoresGradOutput;

// The second output gradient of the linearity probe: a power of 2, so that a correct
// (linear) backward gives exactly the same Jacobian after dividing by it.
constexpr double kProbeScale = 0.5;

std::string describe_input(const std::vector<Variable>& inputs, std::size_t i) {
  std::string s = "input " + std::to_string(i);
  if (!inputs[i].name().empty()) s += " '" + inputs[i].name() + "'";
  return s + " " + shape_str(inputs[i].shape());
}

// Multi-index of flat element j in `shape`, as "(1, 2)".
std::string element_str(const Shape& shape, std::int64_t j) {
  Shape index(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    index[d] = j % shape[d];
    j /= shape[d];
  }
  return shape_str(index);
}

// Runs f with every replayed generator restored to its saved state.
struct Evaluator {
  const MultiFunction& f;
  GeneratorSnapshot generators;

  Evaluator(const MultiFunction& f_, const std::vector<Generator*>& gens)
      : f(f_), generators(gens) {}
  std::vector<Variable> operator()(const std::vector<Variable>& inputs) {
    generators.restore();
    return f(inputs);
  }
};

// All output elements, concatenated, as doubles.
std::vector<double> flat_values(const std::vector<Variable>& outputs) {
  std::vector<double> out;
  for (const Variable& y : outputs) {
    const std::vector<double> v = y.data().to_vector<double>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

// Sets element j of x to a value, and puts the original back when it goes out of scope
// (also when f throws), noting the change in x's version.
class Perturbation {
 public:
  Perturbation(Tensor x, std::int64_t j)
      : x_(std::move(x)), p_(x_.data<double>() + j), original_(*p_) {}
  ~Perturbation() {
    *p_ = original_;
    x_.bump_version();
  }
  Perturbation(const Perturbation&) = delete;
  Perturbation& operator=(const Perturbation&) = delete;
  void set(double offset) { *p_ = original_ + offset; }

 private:
  Tensor x_;
  double* p_;
  double original_;
};

// Numeric Jacobian of all outputs with respect to input i, by central differences.
Jacobian numeric_jacobian(Evaluator& eval, const std::vector<Variable>& inputs, std::size_t i,
                          std::int64_t rows, double eps) {
  Jacobian jac{rows, inputs[i].numel(), {}};
  jac.values.assign(static_cast<std::size_t>(jac.rows * jac.cols), 0.0);
  NoGradGuard no_grad;
  for (std::int64_t j = 0; j < jac.cols; ++j) {
    Perturbation x(inputs[i].data(), j);
    x.set(eps);
    const std::vector<double> plus = flat_values(eval(inputs));
    x.set(-eps);
    const std::vector<double> minus = flat_values(eval(inputs));
    for (std::int64_t r = 0; r < rows; ++r) {
      jac.at(r, j) =
          (plus[static_cast<std::size_t>(r)] - minus[static_cast<std::size_t>(r)]) / (2 * eps);
    }
  }
  return jac;
}

// Analytic Jacobians (one per input) from one backward pass per output element: row r is the
// gradient of that element alone, from grad_output = scale on it, divided by scale. An output
// that does not require grad does not depend on the inputs (e.g. the constant first
// derivative of a linear op): its rows stay zero, and the numeric check confirms it.
std::vector<Jacobian> analytic_jacobians(const std::vector<Variable>& outputs,
                                         const std::vector<Variable>& inputs,
                                         const std::vector<std::size_t>& checked, std::int64_t rows,
                                         double scale) {
  std::vector<Variable> wrt;
  std::vector<Jacobian> jacs;
  for (std::size_t i : checked) {
    wrt.push_back(inputs[i]);
    jacs.push_back({rows, inputs[i].numel(),
                    std::vector<double>(static_cast<std::size_t>(rows * inputs[i].numel()), 0.0)});
  }
  std::int64_t r = 0;
  for (const Variable& y : outputs) {
    for (std::int64_t k = 0; k < y.numel(); ++k, ++r) {
      if (!y.requires_grad()) continue;
      Tensor seed = zeros(y.shape(), y.dtype());  // scale on element k, 0 elsewhere
      seed.data<double>()[k] = scale;
      const std::vector<Variable> grads =
          grad({y}, wrt, {Variable(seed)}, /*retain_graph=*/true, false, true);
      for (std::size_t c = 0; c < grads.size(); ++c) {
        if (!grads[c].defined()) continue;  // does not depend on it: a zero row
        const std::vector<double> g = grads[c].data().to_vector<double>();
        for (std::size_t j = 0; j < g.size(); ++j)
          jacs[c].at(r, static_cast<std::int64_t>(j)) = g[j] / scale;
      }
    }
  }
  return jacs;
}

// "input 0 'x' (3,) at element (1,) (output element 0)" for entry e of input i's Jacobian.
std::string entry_str(const std::vector<Variable>& inputs, std::size_t i, const Jacobian& jac,
                      std::size_t e) {
  const auto row = static_cast<std::int64_t>(e) / jac.cols;
  const auto col = static_cast<std::int64_t>(e) % jac.cols;
  return describe_input(inputs, i) + " at element " + element_str(inputs[i].shape(), col) +
         " (output element " + std::to_string(row) + ")";
}

// Compares one input's Jacobians and updates the report: first against finite differences,
// then, if those agree, the linearity probe (`scaled`: the Jacobian from grad_output 0.5,
// divided by 0.5, which a correct backward makes equal to `ana`).
void compare(const Jacobian& ana, const Jacobian& scaled, const Jacobian& num,
             const std::vector<Variable>& inputs, std::size_t i, const GradcheckOptions& o,
             GradcheckReport& report, ErrorTally& tally) {
  auto fails = [&](double a, double n) {
    return !(std::abs(a - n) <= o.atol + o.rtol * std::abs(n));
  };
  std::size_t nonlinear = ana.values.size();
  for (std::size_t e = 0; e < ana.values.size() && nonlinear == ana.values.size(); ++e) {
    if (fails(scaled.values[e], ana.values[e])) nonlinear = e;
  }
  const bool linear = nonlinear == ana.values.size();
  std::ostringstream msg;
  msg.precision(10);
  for (std::size_t e = 0; e < ana.values.size(); ++e) {
    const double a = ana.values[e], n = num.values[e];
    tally.add(a, n);
    if (report.passed && fails(a, n)) {
      report.passed = false;
      msg << "gradcheck failed for " << entry_str(inputs, i, ana, e) << ": numeric " << n
          << ", analytic " << a
          << ". Hint: " << detail::hint(ana, num, inputs[i].shape(), o, linear);
      report.message = msg.str();
    }
  }
  if (report.passed && !linear) {
    report.passed = false;
    msg << "gradcheck failed for " << entry_str(inputs, i, ana, nonlinear) << ": with grad_output "
        << kProbeScale << " the analytic gradient is " << scaled.values[nonlinear] * kProbeScale
        << ", not " << kProbeScale << " x " << ana.values[nonlinear]
        << " (its value with grad_output 1). Hint: " << kIgnoresGradOutput;
    report.message = msg.str();
  }
}

}  // namespace

std::string GradcheckReport::summary() const {
  std::ostringstream s;
  s << (passed ? "passed" : "FAILED") << ": max abs error " << max_abs_error
    << ", worst relative error " << worst_relative_error << ", UFLDL ratio " << ufldl_ratio;
  if (!passed && !message.empty()) s << "; " << message;  // the failing element and the hint
  return s.str();
}

GradcheckReport gradcheck(const MultiFunction& f, const std::vector<Variable>& inputs,
                          const GradcheckOptions& options) {
  check_float64("gradcheck", inputs);
  Evaluator eval(f, options.replay);
  GradcheckReport report;
  std::vector<std::size_t> checked;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].requires_grad()) checked.push_back(i);
  }
  if (checked.empty()) {
    throw ValueError("gradcheck: no input requires grad, so there is nothing to check");
  }
  std::vector<Jacobian> analytic, scaled;
  std::int64_t rows = 0;
  {
    GradModeGuard grad_mode(true);
    const std::vector<Variable> outputs = eval(inputs);
    for (const Variable& y : outputs) rows += y.numel();
    try {
      analytic = analytic_jacobians(outputs, inputs, checked, rows, 1.0);
      scaled = analytic_jacobians(outputs, inputs, checked, rows, kProbeScale);
    } catch (const AutogradError& e) {  // e.g. a backward rule returned a wrong shape
      report.passed = false;
      report.message = std::string("gradcheck failed: ") + e.what();
      return report;
    }
  }
  ErrorTally tally;
  for (std::size_t c = 0; c < checked.size(); ++c) {
    const Jacobian numeric = numeric_jacobian(eval, inputs, checked[c], rows, options.eps);
    compare(analytic[c], scaled[c], numeric, inputs, checked[c], options, report, tally);
  }
  tally.write_to(report);
  return report;
}

GradcheckReport gradcheck(const ScalarFunction& f, const std::vector<Variable>& inputs,
                          const GradcheckOptions& options) {
  return gradcheck(
      MultiFunction([&](const std::vector<Variable>& in) { return std::vector<Variable>{f(in)}; }),
      inputs, options);
}

GradcheckReport gradgradcheck(const MultiFunction& f, const std::vector<Variable>& inputs,
                              const GradcheckOptions& options) {
  check_float64("gradgradcheck", inputs);
  // Fixed random weights v for the outputs: g(x) = d<v, f(x)>/dx, recorded with create_graph.
  std::vector<Variable> wrt;
  for (const Variable& x : inputs) {
    if (x.requires_grad()) wrt.push_back(x);
  }
  Evaluator eval(f, options.replay);
  // Only the outputs that depend on the inputs (require grad) take part.
  auto differentiable = [](const std::vector<Variable>& outputs) {
    std::vector<Variable> kept;
    for (const Variable& y : outputs) {
      if (y.requires_grad()) kept.push_back(y);
    }
    return kept;
  };
  std::vector<Variable> v;
  {
    Generator gen(options.seed);
    for (const Variable& y : differentiable(eval(inputs)))
      v.emplace_back(randn(y.shape(), gen, y.dtype()));
  }
  MultiFunction g = [&](const std::vector<Variable>& in) {
    GradModeGuard recording(true);  // also under the NoGradGuard of the numeric pass
    std::vector<Variable> w;
    for (const Variable& x : in) {
      if (x.requires_grad()) w.push_back(x);
    }
    std::vector<Variable> grads =
        grad(differentiable(eval(in)), w, v, true, /*create_graph=*/true, true);
    for (std::size_t k = 0; k < grads.size(); ++k) {
      if (!grads[k].defined()) grads[k] = Variable(zeros(w[k].shape(), w[k].dtype()));
    }
    return grads;
  };
  GradcheckOptions inner = options;
  inner.replay.clear();  // eval() already replays
  GradcheckReport report = gradcheck(g, inputs, inner);
  // What failed is the gradient of the gradient: say so, not "gradcheck".
  const std::string checked = "gradcheck failed";
  if (report.message.compare(0, checked.size(), checked) == 0) {
    report.message =
        "gradgradcheck failed (second derivatives: the gradient of d<v, f(x)>/dx, v fixed and "
        "random)" +
        report.message.substr(checked.size());
  }
  return report;
}

GradcheckReport gradgradcheck(const ScalarFunction& f, const std::vector<Variable>& inputs,
                              const GradcheckOptions& options) {
  return gradgradcheck(
      MultiFunction([&](const std::vector<Variable>& in) { return std::vector<Variable>{f(in)}; }),
      inputs, options);
}

}  // namespace xtgrad
