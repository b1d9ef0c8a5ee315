// The hints of gradcheck's failure messages (see gradcheck_hints.hpp). Each pattern is a
// relation between the analytic Jacobian A and the numeric one N of the failing input, tested
// entry by entry with gradcheck's tolerance, ignoring entries where both are tiny.
#include "autograd/gradcheck_hints.hpp"

#include <cmath>
#include <sstream>

namespace xtgrad::detail {

namespace {

// True when pred(analytic, numeric) holds for every entry where numeric or analytic is not tiny.
template <class Pred>
bool all_entries(const Jacobian& ana, const Jacobian& num, double atol, Pred pred) {
  bool any = false;
  for (std::size_t e = 0; e < ana.values.size(); ++e) {
    if (std::abs(num.values[e]) <= atol && std::abs(ana.values[e]) <= atol) continue;
    any = true;
    if (!pred(ana.values[e], num.values[e])) return false;
  }
  return any;
}

}  // namespace

const char* const kIgnoresGradOutput =
    "the gradient does not scale with grad_output: a backward rule ignores its incoming "
    "gradient (returns the local derivative without multiplying by grad_output), which looks "
    "right only where grad_output is 1, as below a sum()";

std::string hint(const Jacobian& ana, const Jacobian& num, const Shape& shape,
                 const GradcheckOptions& o, bool linear) {
  if (!linear) return kIgnoresGradOutput;
  auto close = [&](double a, double b) { return std::abs(a - b) <= o.atol + o.rtol * std::abs(b); };
  auto ratio_is = [&](double k) {  // analytic = k x numeric
    return all_entries(ana, num, o.atol, [&](double a, double n) { return close(a, k * n); });
  };
  if (ratio_is(2)) {
    return "analytic = 2 x numeric: the gradient is counted twice (a contribution added "
           "twice, or '=' where '+=' was meant)";
  }
  if (ratio_is(-1)) return "analytic = -numeric: the backward formula has the wrong sign";
  if (all_entries(ana, num, o.atol, [&](double a, double) { return std::abs(a) <= o.atol; })) {
    return "analytic is zero where numeric is not: the backward rule drops this input, or "
           "the graph is cut (detach(), data(), or a NoGradGuard), or two equal terms cancel "
           "(one term of a product rule with the wrong sign: d(x x) written x - x)";
  }
  if (ratio_is(0.5)) {
    return "analytic = numeric / 2: half of the gradient is missing: one of two equal terms "
           "of a product rule (d(x x) = 2 x, not x), or the gradient of one of two uses of "
           "a value";
  }
  if (shape.size() == 2 && shape[0] == shape[1] && shape[0] > 1) {
    const std::int64_t n = shape[0];
    bool transposed = true;
    for (std::int64_t r = 0; r < ana.rows && transposed; ++r) {
      for (std::int64_t i = 0; i < n && transposed; ++i) {
        for (std::int64_t j = 0; j < n && transposed; ++j) {
          transposed = close(ana.values[static_cast<std::size_t>(r * n * n + i * n + j)],
                             num.values[static_cast<std::size_t>(r * n * n + j * n + i)]);
        }
      }
    }
    if (transposed) {
      return "analytic = transpose of numeric: a matmul gradient with its operands swapped "
             "or a missing transpose";
    }
  }
  // k = <analytic, numeric> / <numeric, numeric>: the best constant factor.
  double an = 0, nn = 0;
  for (std::size_t e = 0; e < ana.values.size(); ++e) {
    an += ana.values[e] * num.values[e];
    nn += num.values[e] * num.values[e];
  }
  if (nn > 0 && ratio_is(an / nn)) {
    std::ostringstream s;
    s.precision(4);
    s << "analytic = " << an / nn
      << " x numeric everywhere: a constant factor is wrong (an "
         "exponent, as in d x^p = p x^(p - 1), a 1/N of a mean, a scale)";
    return s.str();
  }
  return "analytic is not a constant multiple of numeric: a term is wrong: a product-rule "
         "term missing or with the wrong sign (d(u v) = u' v + u v'), or a chain-rule factor "
         "missing; check_nodes() names the first op whose gradient is wrong";
}

}  // namespace xtgrad::detail
