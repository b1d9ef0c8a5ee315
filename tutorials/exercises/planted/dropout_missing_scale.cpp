// A planted bug (for the tests of check_exercises): solutions/dropout_backward.cpp with one
// mistake: the 1 / (1 - p) of inverted dropout is missing.
// Exercise dropout_backward (chapter 06): the backward rule of (inverted) dropout.
#include "exercises.hpp"

namespace xtgrad {
namespace {

// y = x * keep / (1 - p)      keep[i] = 1 with probability 1 - p, else 0 (drawn in forward)
//   grad_x = g * keep / (1 - p)   (the mask is a constant: the same one forward used)
struct Dropout {
  static constexpr const char* name = "dropout";
  double p;
  Generator* gen;
  Tensor keep;  // the mask forward drew, kept for backward
  Tensor forward(Context&, const Variable& x) {
    if (!(p >= 0.0 && p < 1.0))
      throw ValueError("dropout: p must be in [0, 1), got " + std::to_string(p));
    keep = bernoulli(x.shape(), 1.0 - p, *gen, x.dtype());
    return x.data() * keep / (1.0 - p);
  }
  Grads backward(Context&, const Variable& g) { return {g * Variable(keep)}; }  // PLANTED BUG
};

}  // namespace

Variable exercises::dropout(const Variable& x, double p, Generator& gen) {
  return apply(Dropout{p, &gen, Tensor()}, x);
}

}  // namespace xtgrad
