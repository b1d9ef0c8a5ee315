// gradcheck itself: the UFLDL example, the hints for the common bug signatures (each made
// by a deliberately wrong op written with the extension API), the node-by-node mode, and
// replaying random draws.
#include "../tensor/helpers.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// The documented extension example: y = x^3, grad_x = 3 x^2 g.
struct Cube {
  static constexpr const char* name = "cube";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return x.data() * x.data() * x.data();
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable x = ctx.saved(0);
    return {g * 3.0 * x * x};
  }
};

// y = x^2 with a backward that has a bug, chosen by `kind`.
enum class Bug { twice, sign, zero, drops_grad_output, one_term, cancelling_terms, factor };
struct BadSquare {
  static constexpr const char* name = "bad_square";
  Bug kind;
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return x.data() * x.data();
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable x = ctx.saved(0);
    switch (kind) {
      case Bug::twice:
        return {g * 4.0 * x};  // the gradient added twice
      case Bug::sign:
        return {g * -2.0 * x};
      case Bug::zero:
        return {g * 0.0};
      case Bug::drops_grad_output:
        return {2.0 * x};  // should be g * 2 x
      case Bug::one_term:
        return {g * x};  // d(x x) = x dx + x dx: one term missing
      case Bug::cancelling_terms:
        return {g * (x - x)};  // x dx - x dx: one term's sign wrong
      case Bug::factor:
        return {g * 3.0 * x};  // a wrong constant
    }
    return {};
  }
};

// y = x e^x, whose derivative has two different terms: (1 + x) e^x. The bug drops one term
// or flips its sign.
enum class TermBug { missing, sign };
struct BadXExp {
  static constexpr const char* name = "bad_x_exp";
  TermBug kind;
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return x.data() * exp(x.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable x = ctx.saved(0);
    const Variable e = exp(x);
    return {kind == TermBug::missing ? g * e              // the term x e^x is missing
                                     : g * (e - x * e)};  // its sign is wrong
  }
};

// y = x w with grad_w transposed (a classic matmul bug for square w).
struct TransposedMatMul {
  static constexpr const char* name = "transposed_matmul";
  Tensor forward(Context& ctx, const Variable& x, const Variable& w) {
    ctx.save(x);
    return matmul(x.data(), w.data());
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Variable x = ctx.saved(0);
    return {Variable(), matmul(g, x, true, false)};  // should be x^T g
  }
};

// y = a + b with b broadcast, and no sum_to in backward.
struct UnreducedAdd {
  static constexpr const char* name = "unreduced_add";
  Tensor forward(Context&, const Variable& a, const Variable& b) { return a.data() + b.data(); }
  Grads backward(Context&, const Variable& g) { return {g, g}; }
};

// y = x^3 with a backward whose first derivative is right, but which computes 3 x^2 from the
// tensors (outside the graph), so that its own derivative is lost.
struct DetachedCube {
  static constexpr const char* name = "detached_cube";
  Tensor forward(Context& ctx, const Variable& x) {
    ctx.save(x);
    return x.data() * x.data() * x.data();
  }
  Grads backward(Context& ctx, const Variable& g) {
    const Tensor x = ctx.saved(0).data();
    return {g * Variable(x * x * 3.0)};
  }
};

// A backward rule that fails inside: its own subtraction cannot broadcast (3, 5) with (3,).
struct BrokenBackward {
  static constexpr const char* name = "broken_backward";
  Tensor forward(Context&, const Variable& x) { return x.data() * 2.0; }
  Grads backward(Context&, const Variable& g) { return {g - Variable(ones({3}, g.dtype()))}; }
};

// A backward rule that returns one gradient too many.
struct TwoForOne {
  static constexpr const char* name = "two_for_one";
  Tensor forward(Context&, const Variable& x) { return x.data() * 2.0; }
  Grads backward(Context&, const Variable& g) { return {g, g}; }
};

Variable input(const Shape& shape, std::uint64_t seed, const std::string& name) {
  Generator gen(seed);
  Variable v(uniform(shape, 0.5, 1.5, gen, DType::float64), true);
  v.set_name(name);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gradcheck_api)

// A second-derivative failure says gradgradcheck, and the one-line summary keeps the failing
// element and the hint.
BOOST_AUTO_TEST_CASE(gradgradcheck_failures_say_gradgradcheck) {
  const Variable x = input({3}, 2, "x");
  auto f = [](const std::vector<Variable>& in) { return sum(apply(DetachedCube{}, in[0])); };
  BOOST_TEST(gradcheck(f, {x}).passed);
  const GradcheckReport r = gradgradcheck(f, {x});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.message.rfind("gradgradcheck failed (second derivatives", 0) == 0, r.message);
  for (const char* part :
       {"FAILED: max abs error", "gradgradcheck failed", "input 0 'x' (3,) at element", "Hint:"}) {
    BOOST_TEST(r.summary().find(part) != std::string::npos, part << " in " << r.summary());
  }
}

// An error from inside an op's backward names the op and its path from the output, and keeps
// its type; so does a rule that returns the wrong number of gradients.
BOOST_AUTO_TEST_CASE(errors_inside_a_backward_name_the_op) {
  const Variable x = input({3, 5}, 1, "x");
  const Variable y = sum(exp(apply(BrokenBackward{}, x)));
  check_throws<ShapeError>(
      [&] { y.backward(); },
      {"the backward of broken_backward (reached from the output by sum <- exp <- "
       "broken_backward): sub: cannot broadcast shapes (3, 5) and (3,)"});
  const Variable z = sum(apply(TwoForOne{}, x));
  check_throws<AutogradError>(
      [&] { z.backward(); },
      {"the backward of two_for_one (reached from the output by sum <- two_for_one): "
       "returned 2 gradients for 1 inputs"});
}

BOOST_AUTO_TEST_CASE(ufldl_example_ratio) {
  // UFLDL's gradient-checking exercise: h(x) = x1^2 + 3 x1 x2 at (4, 10), eps = 1e-4.
  Variable x(tensor({4, 10}, DType::float64), true);
  GradcheckOptions options;
  options.eps = 1e-4;
  const GradcheckReport r = gradcheck(
      [](const std::vector<Variable>& in) {
        Variable x1 = reshape(in[0], {2}) * Variable(tensor({1, 0}, DType::float64));
        Variable x2 = reshape(in[0], {2}) * Variable(tensor({0, 1}, DType::float64));
        return sum(x1 * x1 + 3.0 * x1 * sum(x2));
      },
      {x}, options);
  BOOST_TEST_MESSAGE("UFLDL example: " << r.summary());
  BOOST_TEST(r.passed);
  BOOST_TEST(r.ufldl_ratio > 1e-13);
  BOOST_TEST(r.ufldl_ratio < 1e-11);  // about 2.1e-12, as UFLDL says
}

BOOST_AUTO_TEST_CASE(extension_example_passes_both_checks) {
  Variable x = input({3}, 1, "x");
  auto f = [](const std::vector<Variable>& in) { return sum(apply(Cube{}, in[0])); };
  BOOST_TEST(gradcheck(f, {x}).passed);
  BOOST_TEST(gradgradcheck(f, {x}).passed);
}

BOOST_AUTO_TEST_CASE(hint_for_a_gradient_counted_twice) {
  Variable x = input({3}, 2, "x");
  const GradcheckReport r = gradcheck(
      [](const std::vector<Variable>& in) { return sum(apply(BadSquare{Bug::twice}, in[0])); },
      {x});
  BOOST_TEST(!r.passed);
  for (const char* part :
       {"input 0 'x' (3,)", "element (0,)", "numeric", "analytic", "counted twice"}) {
    BOOST_TEST(r.message.find(part) != std::string::npos, r.message << " lacks " << part);
  }
}

BOOST_AUTO_TEST_CASE(hint_for_a_sign_error) {
  Variable x = input({3}, 3, "x");
  const GradcheckReport r = gradcheck(
      [](const std::vector<Variable>& in) { return sum(apply(BadSquare{Bug::sign}, in[0])); }, {x});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.message.find("wrong sign") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(hint_for_a_missing_gradient) {
  Variable x = input({3}, 4, "x");
  const GradcheckReport r = gradcheck(
      [](const std::vector<Variable>& in) { return sum(apply(BadSquare{Bug::zero}, in[0])); }, {x});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.message.find("analytic is zero") != std::string::npos, r.message);
}

// With grad_output 1 (right below a sum), a backward that ignores it gives the right numbers:
// only the linearity probe (grad_output 0.5) sees it.
BOOST_AUTO_TEST_CASE(a_backward_that_ignores_grad_output_fails_with_a_hint) {
  Variable x = input({3}, 15, "x");
  const GradcheckReport r = gradcheck(
      [](const std::vector<Variable>& in) {
        return sum(apply(BadSquare{Bug::drops_grad_output}, in[0]));
      },
      {x});
  BOOST_TEST(!r.passed);
  for (const char* part :
       {"input 0 'x' (3,)", "element (0,)", "grad_output 0.5", "ignores its incoming gradient"}) {
    BOOST_TEST(r.message.find(part) != std::string::npos, r.message << " lacks " << part);
  }
  // Deeper in the graph the numbers differ too; the hint is the same.
  const GradcheckReport deep = gradcheck(
      [](const std::vector<Variable>& in) {
        return sum(exp(apply(BadSquare{Bug::drops_grad_output}, in[0])));
      },
      {x});
  BOOST_TEST(!deep.passed);
  BOOST_TEST(deep.message.find("numeric") != std::string::npos, deep.message);
  BOOST_TEST(deep.message.find("ignores its incoming gradient") != std::string::npos, deep.message);
}

BOOST_AUTO_TEST_CASE(hint_for_a_missing_product_rule_term) {
  Variable x = input({3}, 16, "x");
  const GradcheckReport r = gradcheck(
      [](const std::vector<Variable>& in) { return sum(apply(BadSquare{Bug::one_term}, in[0])); },
      {x});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.message.find("analytic = numeric / 2") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("product rule") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(hint_for_cancelling_product_rule_terms) {
  Variable x = input({3}, 17, "x");
  const GradcheckReport r = gradcheck(
      [](const std::vector<Variable>& in) {
        return sum(apply(BadSquare{Bug::cancelling_terms}, in[0]));
      },
      {x});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.message.find("analytic is zero") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("product rule with the wrong sign") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(hint_for_a_wrong_constant_factor) {
  Variable x = input({3}, 18, "x");
  const GradcheckReport r = gradcheck(
      [](const std::vector<Variable>& in) { return sum(apply(BadSquare{Bug::factor}, in[0])); },
      {x});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.message.find("analytic = 1.5 x numeric everywhere") != std::string::npos, r.message);
}

// Two different terms: no constant factor relates analytic and numeric, for either bug.
BOOST_AUTO_TEST_CASE(hint_for_a_wrong_term_of_two_different_ones) {
  Variable x = input({3}, 19, "x");
  for (TermBug kind : {TermBug::missing, TermBug::sign}) {
    const GradcheckReport r = gradcheck(
        [&](const std::vector<Variable>& in) { return sum(apply(BadXExp{kind}, in[0])); }, {x});
    BOOST_TEST(!r.passed);
    BOOST_TEST(r.message.find("not a constant multiple") != std::string::npos, r.message);
    BOOST_TEST(
        r.message.find("product-rule term missing or with the wrong sign") != std::string::npos,
        r.message);
  }
}

BOOST_AUTO_TEST_CASE(hint_for_a_transposed_gradient) {
  Variable x(tensor({{1, 2, 3}, {4, 5, 6}}, DType::float64));
  Variable w = input({3, 3}, 5, "w");
  const GradcheckReport r = gradcheck(
      [&](const std::vector<Variable>& in) {
        return sum(apply(TransposedMatMul{}, x, in[0]) *
                   Variable(arange(0, 6, 1, DType::float64).reshape({2, 3})));
      },
      {w});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.message.find("'w'") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("transpose") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(hint_for_a_missing_broadcast_reduction) {
  Variable a = input({2, 3}, 6, "a");
  Variable b = input({3}, 7, "b");
  const GradcheckReport r = gradcheck(
      [](const std::vector<Variable>& in) { return sum(apply(UnreducedAdd{}, in[0], in[1])); },
      {a, b});
  BOOST_TEST(!r.passed);
  for (const char* part : {"unreduced_add", "shape (2, 3)", "input 1 of shape (3,)", "sum_to"}) {
    BOOST_TEST(r.message.find(part) != std::string::npos, r.message << " lacks " << part);
  }
}

BOOST_AUTO_TEST_CASE(check_nodes_names_the_wrong_op) {
  Variable x = input({4}, 8, "x");
  Variable w = input({4}, 9, "w");
  auto f = [](const std::vector<Variable>& in) {
    Variable h = tanh(in[0] * in[1]);                // correct ops first
    Variable bad = apply(BadSquare{Bug::twice}, h);  // the wrong one
    return mean(exp(bad) + sigmoid(h));              // correct ops after
  };
  BOOST_TEST(!gradcheck(f, {x, w}).passed);          // the whole-function check sees a problem...
  const GradcheckReport r = check_nodes(f, {x, w});  // ...this one says where
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.message.find("(bad_square)") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("numeric") != std::string::npos, r.message);
}

// The report's numbers are filled for check_nodes too. A single op whose backward doubles the
// gradient: every entry has relative error |2n - n| / |2n| = 1/2, and the UFLDL ratio is
// ||n - 2n|| / ||n + 2n|| = 1/3.
BOOST_AUTO_TEST_CASE(check_nodes_reports_its_error_numbers) {
  Variable x = input({4}, 20, "x");
  const GradcheckReport r = check_nodes(
      [](const std::vector<Variable>& in) { return sum(apply(BadSquare{Bug::twice}, in[0])); },
      {x});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.worst_relative_error == 0.5, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(r.ufldl_ratio == 1.0 / 3.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(r.max_abs_error > 0.1, r.summary());
  const GradcheckReport ok =
      check_nodes([](const std::vector<Variable>& in) { return sum(tanh(in[0]) * in[0]); }, {x});
  BOOST_TEST(ok.passed, ok.message);
  BOOST_TEST(ok.worst_relative_error > 0.0, ok.summary());  // finite differences are never exact
  BOOST_TEST(ok.worst_relative_error < 1e-6, ok.summary());
  BOOST_TEST(ok.ufldl_ratio > 0.0, ok.summary());
  BOOST_TEST(ok.ufldl_ratio < 1e-8, ok.summary());
}

// The example message in gradcheck.hpp (check_nodes) is this one, character for character.
BOOST_AUTO_TEST_CASE(check_nodes_message_is_the_documented_one) {
  Variable x(tensor({0, 0, 1.5}, DType::float64), true);
  const GradcheckReport r = check_nodes(
      [](const std::vector<Variable>& in) {
        return sum(apply(BadSquare{Bug::twice}, 2.0 * in[0]));
      },
      {x});
  BOOST_TEST(r.message ==
             "check_nodes: node 1 (bad_square), input 0: element 2 of (3,): numeric 4.771499154, "
             "analytic 9.542998307. The ops before it passed, so this op's backward rule is wrong");
}

BOOST_AUTO_TEST_CASE(random_draws_replay_on_every_evaluation) {
  // Dropout-like noise: a new mask per call would make finite differences meaningless.
  Generator gen(10);
  Variable x = input({20}, 11, "x");
  auto f = [&](const std::vector<Variable>& in) {
    Variable mask(bernoulli({20}, 0.5, gen, DType::float64));
    return sum(square(in[0] * mask) * 2.0);
  };
  GradcheckOptions replay;
  replay.replay = {&gen};
  BOOST_TEST(gradcheck(f, {x}, replay).passed);
  BOOST_TEST(!gradcheck(f, {x}).passed);  // without replay the masks differ between calls
}

BOOST_AUTO_TEST_CASE(float32_inputs_are_refused) {
  Variable x(ones({2}), true);
  check_throws<DTypeError>(
      [&] { gradcheck([](const std::vector<Variable>& in) { return sum(in[0]); }, {x}); },
      {"gradcheck", "float32", "float64"});
}

BOOST_AUTO_TEST_CASE(the_same_output_twice_is_not_counted_twice) {
  Variable x = input({3}, 12, "x");
  const GradcheckReport r = gradcheck(MultiFunction([](const std::vector<Variable>& in) {
                                        Variable y = in[0] * in[0];
                                        return std::vector<Variable>{y, y};
                                      }),
                                      {x});
  BOOST_TEST(r.passed, r.message);
}

BOOST_AUTO_TEST_CASE(an_input_is_restored_when_the_function_throws) {
  Variable x = input({2}, 13, "x");
  const Tensor before = x.data().clone();
  int calls = 0;
  auto f = [&](const std::vector<Variable>& in) {
    if (++calls == 3) throw ValueError("boom");  // during the numeric pass
    return sum(in[0] * in[0]);
  };
  check_throws<ValueError>([&] { gradcheck(f, {x}); }, {"boom"});
  BOOST_TEST(allclose(x.data(), before, 0, 0));
}

BOOST_AUTO_TEST_CASE(nothing_to_check_is_an_error) {
  Variable c(tensor({1, 2}, DType::float64));
  check_throws<ValueError>(
      [&] { gradcheck([](const std::vector<Variable>& in) { return sum(in[0]); }, {c}); },
      {"gradcheck", "no input requires grad"});
}

BOOST_AUTO_TEST_CASE(gradgradcheck_ignores_integer_outputs) {
  Variable x = input({3}, 14, "x");
  const GradcheckReport r =
      gradgradcheck(MultiFunction([](const std::vector<Variable>& in) {
                      return std::vector<Variable>{sum(tanh(in[0])), argmax(in[0], 0)};
                    }),
                    {x});
  BOOST_TEST(r.passed, r.message);
}

BOOST_AUTO_TEST_SUITE_END()
