#include "checker.hpp"

#include <cmath>
#include <sstream>

#include "exercises.hpp"

namespace xtgrad::exercises {

namespace {

Outcome fail(std::string detail) { return {Status::fail, std::move(detail)}; }

// "" when a and b agree, else the first element where they differ, with both values.
std::string first_difference(const Tensor& mine, const Tensor& library, const char* what) {
  if (mine.shape() != library.shape()) {
    return std::string(what) + " has shape " + shape_str(mine.shape()) + ", the library's " +
           shape_str(library.shape());
  }
  const std::vector<double> a = mine.to_vector<double>();
  const std::vector<double> b = library.to_vector<double>();
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!(std::abs(a[k] - b[k]) <= 1e-9 + 1e-7 * std::abs(b[k]))) {
      std::ostringstream s;
      s.precision(10);
      s << what << " differs from the library's at flat element " << k << ": " << a[k]
        << ", library " << b[k];
      return s.str();
    }
  }
  return "";
}

// Runs f with the case's generator restored to its state before the check.
std::vector<Variable> run(const Case& c, const MultiFunction& f,
                          const std::vector<Variable>& inputs) {
  const GeneratorSnapshot gens(c.gen ? std::vector<Generator*>{c.gen.get()}
                                     : std::vector<Generator*>{});
  std::vector<Variable> out = f(inputs);
  gens.restore();
  return out;
}

// The gradients of sum(f(inputs) * weights) with respect to `wrt` (zeros for an unused one).
std::vector<Tensor> weighted_gradients(const Case& c, const MultiFunction& f, const Tensor& weights,
                                       const std::vector<Variable>& wrt) {
  const Variable y = run(c, f, c.inputs)[0];
  const std::vector<Variable> g = grad({sum(y * Variable(weights))}, wrt, {}, false, false, true);
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < g.size(); ++i) {
    out.push_back(g[i].defined() ? g[i].data() : zeros_like(wrt[i].data()));
  }
  return out;
}

}  // namespace

Outcome guarded(const std::string& what, const std::function<Outcome()>& check) {
  try {
    Outcome o = check();
    if (o.status == Status::fail) o.detail = "case " + what + ": " + o.detail;
    return o;
  } catch (const NotDoneYet& e) {
    return {Status::not_done, e.what()};
  } catch (const Error& e) {  // e.g. a shape error inside backward, or one the engine found
    return fail("case " + what + ": " + e.what());
  }
}

Outcome check_case(const Case& c) {
  return guarded(c.what, [&]() -> Outcome {
    if (c.library) {
      NoGradGuard no_grad;
      const std::string diff = first_difference(run(c, c.exercise, c.inputs)[0].data(),
                                                run(c, c.library, c.inputs)[0].data(), "forward");
      if (!diff.empty()) return fail(diff + " (forward was given: was it changed?)");
    }
    GradcheckOptions options;
    if (c.gen) options.replay = {c.gen.get()};
    const GradcheckReport report = gradcheck(c.exercise, c.inputs, options);
    if (!report.passed) return fail(report.message);
    if (c.library) {
      std::vector<Variable> wrt;
      for (const Variable& x : c.inputs) {
        if (x.requires_grad()) wrt.push_back(x);
      }
      Generator gen(7);
      const Tensor weights = randn(run(c, c.exercise, c.inputs)[0].shape(), gen, DType::float64);
      const std::vector<Tensor> mine = weighted_gradients(c, c.exercise, weights, wrt);
      const std::vector<Tensor> library = weighted_gradients(c, c.library, weights, wrt);
      for (std::size_t i = 0; i < wrt.size(); ++i) {
        const std::string what =
            "the gradient of '" + wrt[i].name() + "' (for a random grad_output)";
        const std::string diff = first_difference(mine[i], library[i], what.c_str());
        if (!diff.empty()) return fail(diff);
      }
    }
    return {};
  });
}

Outcome check_cases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    Outcome o = check_case(c);
    if (o.status != Status::pass) return o;
  }
  return {};
}

Variable input(const std::string& name, const Shape& shape, Generator& gen, double low,
               double high) {
  Variable x(uniform(shape, low, high, gen, DType::float64), true);
  x.set_name(name);
  return x;
}

Variable data(const Shape& shape, Generator& gen, double low, double high) {
  return Variable(uniform(shape, low, high, gen, DType::float64));
}

}  // namespace xtgrad::exercises
