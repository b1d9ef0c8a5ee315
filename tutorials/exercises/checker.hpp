#pragma once
// How check_exercises checks an exercise: a few cases (sets of inputs), each run through
// gradcheck and compared with the library's own op; the first problem found is the outcome.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/all.hpp"

namespace xtgrad::exercises {

enum class Status { pass, fail, not_done };

struct Outcome {
  Status status = Status::pass;
  std::string detail;  // unless pass: what went wrong, where, the values and a hint
};

// One set of inputs for an exercise's function.
struct Case {
  std::string what;                // e.g. "a (2, 3) @ b (3, 4)"
  MultiFunction exercise;          // the exercise's op applied to the inputs
  MultiFunction library;           // the library's version of it, or empty
  std::vector<Variable> inputs;    // float64; gradients are checked for those that require grad
  std::shared_ptr<Generator> gen;  // what both functions draw from (restored for each), or null
};

// In order: the forward against the library's, gradcheck (finite differences and its
// grad_output linearity probe), then the gradients for a random grad_output against the
// library's. An exception is an outcome too: NotDoneYet is not_done, any other error a fail.
Outcome check_case(const Case& c);
// check_case for each case in turn, up to the first that does not pass.
Outcome check_cases(const std::vector<Case>& cases);
// Runs `check`, turning the exceptions it throws into outcomes; `what` names the case.
Outcome guarded(const std::string& what, const std::function<Outcome()>& check);

// Uniform in [low, high], float64: a named input whose gradient is checked, or data.
Variable input(const std::string& name, const Shape& shape, Generator& gen, double low = -1.0,
               double high = 1.0);
Variable data(const Shape& shape, Generator& gen, double low = -1.0, double high = 1.0);

}  // namespace xtgrad::exercises
