// Chapter 3: what gradcheck says about a wrong backward rule. Each op below is written with
// the extension API (chapter 4) and has one planted bug; gradcheck must fail on it, and its
// hint must name the bug. Then check_nodes finds the one wrong op inside a larger graph.
// The program prints every message and exits 1 if a bug is missed or its hint is not the
// expected one.
//
//   ch03_planted_bugs [--short] [--out DIR]  (it takes a second and writes no file; --short changes nothing)
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "../common/program_args.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;

namespace {

// [book:x_exp]
enum class Bug { none, counted_twice, wrong_sign, dropped, missing_term, ignores_grad_output };

// y = x e^x           grad_x = g (e^x + x e^x)       (product rule)
struct XExp {
  static constexpr const char* name = "x_exp";
  Bug bug = Bug::none;
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return x.data() * exp(x.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable x = ctx.saved(0);
    const Variable e = exp(x);
    switch (bug) {
      case Bug::none:
        return {g * (e + x * e)};
      case Bug::counted_twice:
        return {g * (e + x * e) * 2.0};  // its contribution added twice
      case Bug::wrong_sign:
        return {-g * (e + x * e)};
      case Bug::dropped:
        return {g * 0.0};  // no gradient at all
      case Bug::missing_term:
        return {g * e};  // the term x e^x forgotten
      case Bug::ignores_grad_output:
        return {e + x * e};  // g never multiplied in
    }
    return {};
  }
};
// [/book:x_exp]

// [book:more_bugs]
// y = x x             grad_x = 2 g x;  the bug keeps one of the two equal terms: g x
struct HalfSquare {
  static constexpr const char* name = "half_square";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return x.data() * x.data();
  }
  Grads backward(Context& ctx, const Variable& g) { return {g * ctx.saved(0)}; }
};

// y = x^3             grad_x = 3 g x^2;  the bug writes p x^(p-1) as (p - 1) x^(p-1)
struct WrongPower {
  static constexpr const char* name = "wrong_power";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return pow(x.data(), 3.0);
  }
  Grads backward(Context& ctx, const Variable& g) { return {g * 2.0 * pow(ctx.saved(0), 2.0)}; }
};

// y = x w             grad_w = x^T g;  the bug computes g^T x, the transpose (w is square)
struct TransposedMatmul {
  static constexpr const char* name = "transposed_matmul";
  Tensor forward(Context& ctx, const Variable& x, const Variable& w) {
    ctx.save(x);
    return matmul(x.data(), w.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    return {Variable(), matmul(g, ctx.saved(0), /*transpose_a=*/true, false)};
  }
};

// y = a + b, b (M,) broadcast over the rows of a (N, M);  the bug returns g for b unsummed
struct UnreducedAdd {
  static constexpr const char* name = "unreduced_add";
  Tensor forward(Context&, const Variable& a, const Variable& b) { return a.data() + b.data(); }
  Grads backward(Context&, const Variable& g) { return {g, g}; }  // b needs sum_to(g, (M,))
};
// [/book:more_bugs]

Variable input(const Tensor& values, const char* name) {
  Variable v(values.to(DType::float64), true);
  v.set_name(name);
  return v;
}

struct Case {
  std::string key;       // result key
  std::string bug;       // what is planted
  std::string expected;  // a phrase the message must contain
  std::function<GradcheckReport()> run;
};

}  // namespace

int main(int argc, char** argv) {
  book::parse_program_args(argc, argv, "ch03_planted_bugs");
  const Variable x = input(tensor({0.5, 1.0, 1.5}), "x");
  const Variable w = input(tensor({{0.1, 0.2, 0.3}, {0.4, 0.5, 0.6}, {0.7, 0.8, 0.9}}), "w");
  const Tensor rows = tensor({{1, -1, 2}, {0, 3, 1}}, DType::float64);  // a constant input (2, 3)
  const Variable a = input(tensor({{1, 2, 3}, {4, 5, 6}}), "a");
  const Variable b = input(tensor({0.1, 0.2, 0.3}), "b");
  // Weights that make every output element count differently: sum(y * weights).
  auto weighted = [](const Variable& y) {
    return sum(y * Variable(arange(1, 1 + static_cast<double>(y.numel()), 1, DType::float64)
                                .reshape(y.shape())));
  };
  auto x_exp = [&](Bug bug) {
    return [=] {
      return gradcheck(
          [=](const std::vector<Variable>& in) { return weighted(apply(XExp{bug}, in[0])); }, {x});
    };
  };
  // [book:cases]
  const std::vector<Case> cases = {
      {"counted_twice", "x_exp: the gradient added twice", "analytic = 2 x numeric",
       x_exp(Bug::counted_twice)},
      {"wrong_sign", "x_exp: the sign of the rule", "wrong sign", x_exp(Bug::wrong_sign)},
      {"dropped", "x_exp: no gradient returned", "analytic is zero", x_exp(Bug::dropped)},
      {"half", "half_square: one of two equal product-rule terms", "analytic = numeric / 2",
       [=] {
         return gradcheck(
             [](const std::vector<Variable>& in) { return sum(apply(HalfSquare{}, in[0])); }, {x});
       }},
      {"factor", "wrong_power: (p - 1) x^(p - 1) for p x^(p - 1)", "a constant factor is wrong",
       [=] {
         return gradcheck(
             [](const std::vector<Variable>& in) { return sum(apply(WrongPower{}, in[0])); }, {x});
       }},
      {"transpose", "transposed_matmul: g^T x for x^T g", "transpose of numeric",
       [=] {
         return gradcheck(
             [=](const std::vector<Variable>& in) {
               return weighted(apply(TransposedMatmul{}, Variable(rows), in[0]));
             },
             {w});
       }},
      {"missing_term", "x_exp: one of two different product-rule terms", "not a constant multiple",
       x_exp(Bug::missing_term)},
      {"ignores_grad_output", "x_exp: grad_output never multiplied in",
       "does not scale with grad_output",
       [=] {
         return gradcheck(
             [](const std::vector<Variable>& in) {
               return sum(apply(XExp{Bug::ignores_grad_output}, in[0]));
             },
             {x});
       }},
      {"missing_sum_to", "unreduced_add: a broadcast gradient not summed back", "sum_to",
       [=] {
         return gradcheck(
             [](const std::vector<Variable>& in) {
               return sum(apply(UnreducedAdd{}, in[0], in[1]));
             },
             {a, b});
       }},
  };
  // [/book:cases]
  int caught = 0;
  for (const Case& c : cases) {
    const GradcheckReport r = c.run();
    const bool ok = !r.passed && r.message.find(c.expected) != std::string::npos;
    caught += ok ? 1 : 0;
    std::printf("planted: %s\n  %s\n  %s\n\n", c.bug.c_str(),
                r.passed ? "gradcheck PASSED (the bug was missed)" : r.message.c_str(),
                ok ? "caught, with the expected hint" : "NOT caught as expected");
  }

  // [book:check_nodes]
  // A small network with the missing-term bug in its middle op. gradcheck sees that the whole
  // gradient is wrong; check_nodes checks each op at the values it saw and names the culprit.
  auto network = [=](const std::vector<Variable>& in) {
    const Variable h = apply(XExp{Bug::missing_term}, matmul(in[0], in[1]));  // (2, 3) @ (3, 3)
    return sum(sigmoid(h + in[2]));
  };
  const std::vector<Variable> inputs{Variable(rows * 0.1), w, b};
  const GradcheckReport whole = gradcheck(network, inputs);
  const GradcheckReport by_node = check_nodes(network, inputs);
  // [/book:check_nodes]
  std::printf("gradcheck of sigmoid(x_exp(rows w) + b), with x_exp's missing term:\n  %s\n",
              whole.message.c_str());
  std::printf("check_nodes of the same network:\n  %s\n", by_node.message.c_str());
  const bool named = !by_node.passed && by_node.message.find("(x_exp)") != std::string::npos;
  caught += named ? 1 : 0;

  const int planted = static_cast<int>(cases.size()) + 1;
  std::printf("\ncaught %d of %d planted bugs with the expected message\n", caught, planted);
  std::printf("result bugs_planted %d\n", planted);
  std::printf("result bugs_caught %d\n", caught);
  return caught == planted ? 0 : 1;
}
