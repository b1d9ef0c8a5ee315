#pragma once
// Gradient checking: compare the gradients backward computes (analytic) with finite
// differences of the function itself (numeric).
//
//   numeric d f_k / d x_j  =  (f_k(x + eps e_j) - f_k(x - eps e_j)) / (2 eps)   (central)
//
// Every input element is perturbed in turn, so only use small inputs, in float64.
// The defaults are PyTorch's: eps 1e-6, and an entry passes when
// |analytic - numeric| <= atol + rtol * |numeric| with atol 1e-5 and rtol 1e-3.
//
//   auto f = [](const std::vector<Variable>& in) { return sum(tanh(matmul(in[0], in[1]))); };
//   GradcheckReport r = gradcheck(f, {x, w});      // x, w: float64, requires_grad
//   if (!r.passed) std::cout << r.message;         // names input, element, values and a hint
//
// Functions that draw random numbers (dropout, denoising noise, VAE sampling) must draw the
// same numbers on every evaluation: list their generators in options.replay, and gradcheck
// restores their state before each evaluation.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autograd/variable.hpp"
#include "tensor/random.hpp"

namespace xtgrad {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  std::vector<Generator*> replay;  // restored to their current state before each evaluation
  std::uint64_t seed = 0;          // for the random vectors of gradgradcheck and check_nodes
};

// The three numbers cover every entry compared: for gradcheck the whole Jacobian, for
// check_nodes every vector-Jacobian product up to the first failing op (that op's failing
// input included in full).
struct GradcheckReport {
  bool passed = true;
  double max_abs_error = 0;         // max |analytic - numeric| over all entries
  double worst_relative_error = 0;  // max |analytic - numeric| / max(|analytic|, |numeric|)
  double ufldl_ratio = 0;           // ||numeric - analytic|| / ||numeric + analytic|| (UFLDL)
  std::string message;              // on failure: what failed, where, and a hint
  std::string summary() const;      // one line: the numbers above, and on failure the message
};

using MultiFunction = std::function<std::vector<Variable>(const std::vector<Variable>&)>;
using ScalarFunction = std::function<Variable(const std::vector<Variable>&)>;

// Checks the gradients of f's outputs with respect to every input that requires grad.
// Besides the finite differences, it checks that the gradient scales with grad_output
// (backward is linear in it): a backward that ignores its incoming gradient looks right when
// that gradient is 1, as it is below a sum().
GradcheckReport gradcheck(const MultiFunction& f, const std::vector<Variable>& inputs,
                          const GradcheckOptions& options = {});
GradcheckReport gradcheck(const ScalarFunction& f, const std::vector<Variable>& inputs,
                          const GradcheckOptions& options = {});

// Checks second derivatives: gradcheck of x -> grad(f(x), x, v, create_graph) for a fixed
// random v, i.e. that the backward rules are themselves correctly differentiated.
GradcheckReport gradgradcheck(const MultiFunction& f, const std::vector<Variable>& inputs,
                              const GradcheckOptions& options = {});
GradcheckReport gradgradcheck(const ScalarFunction& f, const std::vector<Variable>& inputs,
                              const GradcheckOptions& options = {});

// Node by node: runs f once, then checks every recorded op on its own, its backward
// (vector-Jacobian product with a random vector) against finite differences of its forward,
// at the values it saw. The message names the first op (in the order they ran) that is wrong;
// for sum(bad_square(2.0 * x)) at x = (0, 0, 1.5), with a bad_square whose backward doubles
// its gradient (tests/autograd/test_gradcheck.cpp, check_nodes_message_is_the_documented_one):
// "check_nodes: node 1 (bad_square), input 0: element 2 of (3,): numeric 4.771499154,
// analytic 9.542998307. The ops before it passed, so this op's backward rule is wrong"
// (numeric and analytic are v^T J for the node's random v; node 0 is the mul by 2).
GradcheckReport check_nodes(const MultiFunction& f, const std::vector<Variable>& inputs,
                            const GradcheckOptions& options = {});
GradcheckReport check_nodes(const ScalarFunction& f, const std::vector<Variable>& inputs,
                            const GradcheckOptions& options = {});

namespace detail {
// Throws DTypeError naming `op` unless every input that requires grad is float64.
void check_float64(const char* op, const std::vector<Variable>& inputs);

// The report's three error numbers, accumulated over (analytic, numeric) pairs.
class ErrorTally {
 public:
  void add(double analytic, double numeric);
  void write_to(GradcheckReport& report) const;

 private:
  double max_abs_ = 0, worst_relative_ = 0, diff2_ = 0, sum2_ = 0;
};
}  // namespace detail

}  // namespace xtgrad
