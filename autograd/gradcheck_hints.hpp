#pragma once
// For gradcheck.cpp (not installed): the Jacobians it compares, and the hint its failure
// message gives from them, recognising the usual bug signatures of a backward rule.
#include <cstdint>
#include <string>
#include <vector>

#include "autograd/gradcheck.hpp"

namespace xtgrad::detail {

// The Jacobian of some outputs (rows) with respect to one input (columns), flattened.
struct Jacobian {
  std::int64_t rows = 0, cols = 0;
  std::vector<double> values;  // row-major
  double& at(std::int64_t r, std::int64_t c) {
    return values[static_cast<std::size_t>(r * cols + c)];
  }
};

// The hint for a backward that does not scale with grad_output (gradcheck's linearity probe).
extern const char* const kIgnoresGradOutput;

// A hint from the whole Jacobians of the failing input (shape: the input's), which tries in
// turn: not linear in grad_output; analytic = 2, -1, 0 or 1/2 x numeric; the transpose (a
// square matrix input); another constant factor k; and otherwise says that a term is wrong.
// `linear` tells whether the analytic Jacobian scaled with grad_output.
std::string hint(const Jacobian& ana, const Jacobian& num, const Shape& shape,
                 const GradcheckOptions& o, bool linear);

}  // namespace xtgrad::detail
