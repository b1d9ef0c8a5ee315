// Chapter 2: the tiny tape (tiny_tape.hpp) against the library's engine.
//
// Each expression is written once, as a template, and evaluated twice: on tiny::Value and on
// xtgrad::Variable (0-d float64 tensors). The gradients of every input must agree to
// rounding; the program prints both and exits 1 on any disagreement. The first two
// expressions are micrograd's own tests (test/test_engine.py), whose gradients it checks
// against PyTorch; the third is one tanh neuron.
//
//   ch02_tiny_tape [--short] [--out DIR]  (it takes no time and writes no file; --short changes nothing)
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "../common/program_args.hpp"
#include "autograd/all.hpp"
#include "tiny_tape.hpp"

using xtgrad::Variable;

namespace {

// [book:expressions]
// micrograd's test_sanity_check: y(x) at x = -4; dy/dx = 46.
template <class V>
V sanity(const std::vector<V>& in) {
  const V& x = in[0];
  V z = 2.0 * x + 2.0 + x;
  V q = relu(z) + z * x;
  V h = relu(z * z);
  return h + q + q * x;
}

// micrograd's test_more_ops at a = -4, b = 2 (c += ... written as c = c + ...).
template <class V>
V more_ops(const std::vector<V>& in) {
  const V& a = in[0];
  const V& b = in[1];
  V c = a + b;
  V d = a * b + pow(b, 3.0);
  c = c + c + 1.0;
  c = c + 1.0 + c + (-a);
  d = d + d * 2.0 + relu(b + a);
  d = d + 3.0 * d + relu(b - a);
  V e = c - d;
  V f = pow(e, 2.0);
  V g = f / 2.0;
  return g + 10.0 / f;
}

// One neuron: tanh(w1 x1 + w2 x2 + b).
template <class V>
V neuron(const std::vector<V>& in) {
  return tanh(in[0] * in[1] + in[2] * in[3] + in[4]);
}
// [/book:expressions]

struct Case {
  std::string name;
  std::vector<std::string> inputs;
  std::vector<double> at;
  tiny::Value (*tiny_f)(const std::vector<tiny::Value>&);
  Variable (*library_f)(const std::vector<Variable>&);
};

// [book:compare]
// Evaluates one case on both tapes; prints the output and every gradient; true when they agree.
bool compare(const Case& c) {
  std::vector<tiny::Value> tiny_in(c.at.begin(), c.at.end());
  tiny::Value tiny_y = c.tiny_f(tiny_in);
  tiny_y.backward();

  std::vector<Variable> lib_in;
  for (double v : c.at) lib_in.emplace_back(xtgrad::scalar_tensor(v, xtgrad::DType::float64), true);
  Variable lib_y = c.library_f(lib_in);
  lib_y.backward();

  bool agree = true;
  std::printf("%s = %.10f (tiny) %.10f (library)\n", c.name.c_str(), tiny_y.data(), lib_y.item());
  for (std::size_t i = 0; i < c.at.size(); ++i) {
    const double t = tiny_in[i].grad(), l = lib_in[i].grad().item();
    const bool ok = std::abs(t - l) <= 1e-12 * std::max(1.0, std::abs(l));
    agree = agree && ok;
    std::printf("  d/d%-3s tiny %16.10f   library %16.10f   %s\n", c.inputs[i].c_str(), t, l,
                ok ? "ok" : "DIFFERS");
    std::printf("result %s_grad_%s %.10f\n", c.name.c_str(), c.inputs[i].c_str(), t);
  }
  return agree;
}
// [/book:compare]

}  // namespace

int main(int argc, char** argv) {
  book::parse_program_args(argc, argv, "ch02_tiny_tape");
  const std::vector<Case> cases = {
      {"sanity", {"x"}, {-4.0}, sanity<tiny::Value>, sanity<Variable>},
      {"more_ops", {"a", "b"}, {-4.0, 2.0}, more_ops<tiny::Value>, more_ops<Variable>},
      {"neuron",
       {"x1", "w1", "x2", "w2", "b"},
       {2.0, -3.0, 0.0, 1.0, 6.8813735870195432},
       neuron<tiny::Value>,
       neuron<Variable>},
  };
  bool all_agree = true;
  for (const Case& c : cases) all_agree = compare(c) && all_agree;

  // [book:no_tape]
  // Without the tape, x * x has no parents: backward reaches only the result itself.
  tiny::Value x(3.0);
  {
    tiny::NoTape off;
    const tiny::Value y = x * x;
    y.backward();
  }
  std::printf("\nunder NoTape, y = x * x at x = 3: x.grad() = %.1f (nothing recorded)\n", x.grad());
  // [/book:no_tape]
  all_agree = all_agree && x.grad() == 0.0;

  std::printf("\n%s\n", all_agree ? "the tiny tape agrees with the library"
                                  : "the tiny tape DISAGREES with the library");
  return all_agree ? 0 : 1;
}
