// The check of each exercise: its cases (shapes chosen so that a missing transpose or a
// missing reduction cannot go unnoticed: non-square matrices, a broadcast operand, a batch
// of more than one row) and the library op it must agree with.
#include "exercise_checks.hpp"

#include <array>
#include <sstream>

#include "exercises.hpp"
#include "nn/check_layer.hpp"
#include "nn/losses.hpp"

namespace xtgrad::exercises {

namespace {

using Inputs = std::vector<Variable>;
using Unary = Variable (*)(const Variable&);
using Dims = std::array<std::int64_t, 3>;

std::string num(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

// f(x) elementwise, for x of two shapes with values in [low, high].
Outcome elementwise(Unary mine, Unary library, double low, double high) {
  Generator gen(1);
  std::vector<Case> cases;
  for (const Shape& shape : {Shape{2, 3}, Shape{5}}) {
    cases.push_back({"x " + shape_str(shape),
                     [mine](const Inputs& in) { return Inputs{mine(in[0])}; },
                     [library](const Inputs& in) { return Inputs{library(in[0])}; },
                     {input("x", shape, gen, low, high)},
                     nullptr});
  }
  return check_cases(cases);
}

Outcome sigmoid_backward() {
  return elementwise(
      exercises::sigmoid, [](const Variable& x) { return xtgrad::sigmoid(x); }, -3, 3);
}

Outcome tanh_backward() {
  return elementwise(
      exercises::tanh, [](const Variable& x) { return xtgrad::tanh(x); }, -2, 2);
}

Outcome softplus_backward() {
  return elementwise(
      exercises::softplus, [](const Variable& x) { return xtgrad::softplus(x); }, -3, 3);
}

Outcome add_broadcast_backward() {
  Generator gen(2);
  std::vector<Case> cases;
  for (const auto& [n, m] : {std::pair<std::int64_t, std::int64_t>{2, 3}, {4, 1}, {1, 5}}) {
    cases.push_back(
        {"a " + shape_str({n, m}) + " + b " + shape_str({m}),
         [](const Inputs& in) { return Inputs{exercises::add_broadcast(in[0], in[1])}; },
         [](const Inputs& in) { return Inputs{in[0] + in[1]}; },
         {input("a", {n, m}, gen), input("b", {m}, gen)},
         nullptr});
  }
  return check_cases(cases);
}

Outcome matmul_backward() {
  Generator gen(3);
  std::vector<Case> cases;
  for (const auto& [n, k, m] : {Dims{2, 3, 4}, Dims{4, 2, 3}, Dims{3, 3, 3}}) {
    cases.push_back({"a " + shape_str({n, k}) + " @ b " + shape_str({k, m}),
                     [](const Inputs& in) { return Inputs{exercises::matmul(in[0], in[1])}; },
                     [](const Inputs& in) { return Inputs{xtgrad::matmul(in[0], in[1])}; },
                     {input("a", {n, k}, gen), input("b", {k, m}, gen)},
                     nullptr});
  }
  return check_cases(cases);
}

Outcome log_softmax_backward() {
  Generator gen(4);
  std::vector<Case> cases;
  for (const Shape& shape : {Shape{2, 3}, Shape{3, 4}}) {
    cases.push_back({"x " + shape_str(shape),
                     [](const Inputs& in) { return Inputs{exercises::log_softmax(in[0])}; },
                     [](const Inputs& in) { return Inputs{xtgrad::log_softmax(in[0], 1)}; },
                     {input("x", shape, gen, -2, 2)},
                     nullptr});
  }
  return check_cases(cases);
}

// Against x sigmoid(beta x) composed from library ops (with beta drawn, not 1), then
// nn::check_layer, which also checks registration, modes, state_dict and float32.
Outcome swish_layer() {
  Generator gen(5);
  for (const Shape& shape : {Shape{4, 3}, Shape{2, 5}}) {
    auto layer = std::make_shared<Swish>(shape[1]);
    layer->to(DType::float64);
    layer->beta.data().copy_(uniform({shape[1]}, 0.5, 2.0, gen, DType::float64));
    layer->beta.set_name("beta");
    Outcome o =
        check_case({"x " + shape_str(shape),
                    [layer](const Inputs& in) { return Inputs{(*layer)(in[0])}; },
                    [](const Inputs& in) { return Inputs{in[0] * xtgrad::sigmoid(in[1] * in[0])}; },
                    {input("x", shape, gen), layer->beta},
                    nullptr});
    if (o.status != Status::pass) return o;
    o = guarded("nn::check_layer with x " + shape_str(shape), [&]() -> Outcome {
      const auto make = [&] { return std::make_shared<Swish>(shape[1]); };
      const nn::LayerCheckReport r = nn::check_layer(make, shape);
      std::string failures;
      for (const std::string& f : r.failures) failures += (failures.empty() ? "" : " | ") + f;
      return {r.passed ? Status::pass : Status::fail, failures};
    });
    if (o.status != Status::pass) return o;
  }
  return {};
}

Outcome linear_backward() {
  Generator gen(6);
  std::vector<Case> cases;
  for (const auto& [n, in, out] : {Dims{4, 3, 2}, Dims{1, 2, 3}, Dims{3, 3, 3}}) {
    cases.push_back(
        {"x " + shape_str({n, in}) + ", W " + shape_str({out, in}) + ", b " + shape_str({out}),
         [](const Inputs& v) { return Inputs{exercises::linear(v[0], v[1], v[2])}; },
         [](const Inputs& v) { return Inputs{xtgrad::matmul(v[0], v[1], false, true) + v[2]}; },
         {input("x", {n, in}, gen), input("W", {out, in}, gen), input("b", {out}, gen)},
         nullptr});
  }
  return check_cases(cases);
}

// The library's version draws the same mask from the same generator (restored for each run).
Outcome dropout_backward() {
  std::vector<Case> cases;
  for (const auto& [shape, p] : {std::pair<Shape, double>{{2, 3}, 0.25}, {{6}, 0.5}}) {
    auto gen = std::make_shared<Generator>(8);
    Generator* g = gen.get();
    cases.push_back(
        {"x " + shape_str(shape) + ", p " + num(p),
         [g, p = p](const Inputs& in) { return Inputs{exercises::dropout(in[0], p, *g)}; },
         [g, p = p](const Inputs& in) {
           const Tensor keep = bernoulli(in[0].shape(), 1.0 - p, *g, in[0].dtype());
           return Inputs{in[0] * Variable(keep / (1.0 - p))};
         },
         {input("x", shape, *gen)},
         gen});
  }
  return check_cases(cases);
}

Outcome bce_backward() {
  Generator gen(9);
  std::vector<Case> cases;
  for (const Shape& shape : {Shape{2, 3}, Shape{4}}) {
    cases.push_back({"p " + shape_str(shape),
                     [](const Inputs& in) { return Inputs{exercises::bce(in[0], in[1])}; },
                     [](const Inputs& in) { return Inputs{binary_cross_entropy(in[0], in[1])}; },
                     {input("p", shape, gen, 0.05, 0.95), data(shape, gen, 0, 1)},
                     nullptr});
  }
  return check_cases(cases);
}

Outcome mse_backward() {
  Generator gen(10);
  std::vector<Case> cases;
  for (const Shape& shape : {Shape{2, 3}, Shape{5}}) {
    cases.push_back({"pred " + shape_str(shape),
                     [](const Inputs& in) { return Inputs{exercises::mse(in[0], in[1])}; },
                     [](const Inputs& in) { return Inputs{nn::mse_loss(in[0], in[1])}; },
                     {input("pred", shape, gen), data(shape, gen)},
                     nullptr});
  }
  return check_cases(cases);
}

Outcome l2_penalty_backward() {
  Generator gen(11);
  std::vector<Case> cases;
  for (const auto& [shape, lambda] : {std::pair<Shape, double>{{3, 2}, 0.1}, {{4}, 2.0}}) {
    const double l = lambda;
    cases.push_back({"w " + shape_str(shape) + ", lambda " + num(l),
                     [l](const Inputs& in) { return Inputs{exercises::l2_penalty(in[0], l)}; },
                     [l](const Inputs& in) { return Inputs{l * nn::l2_penalty({in[0]})}; },
                     {input("w", shape, gen)},
                     nullptr});
  }
  return check_cases(cases);
}

Outcome kl_sparsity_backward() {
  Generator gen(12);
  std::vector<Case> cases;
  for (const auto& [shape, rho] : {std::pair<Shape, double>{{4, 3}, 0.1}, {{2, 5}, 0.3}}) {
    const double r = rho;
    cases.push_back({"a " + shape_str(shape) + ", rho " + num(r),
                     [r](const Inputs& in) { return Inputs{exercises::kl_sparsity(in[0], r)}; },
                     [r](const Inputs& in) { return Inputs{nn::kl_sparsity_loss(in[0], r)}; },
                     {input("a", shape, gen, 0.05, 0.95)},
                     nullptr});
  }
  return check_cases(cases);
}

// The library's version draws the same noise from the same generator (restored for each run).
Outcome reparameterize_backward() {
  std::vector<Case> cases;
  for (const Shape& shape : {Shape{2, 3}, Shape{4, 2}}) {
    auto gen = std::make_shared<Generator>(13);
    Generator* g = gen.get();
    cases.push_back(
        {"mu " + shape_str(shape),
         [g](const Inputs& in) { return Inputs{exercises::reparameterize(in[0], in[1], *g)}; },
         [g](const Inputs& in) {
           const Tensor eps = randn(in[0].shape(), *g, in[0].dtype());
           return Inputs{in[0] + exp(0.5 * in[1]) * Variable(eps)};
         },
         {input("mu", shape, *gen), input("logvar", shape, *gen)},
         gen});
  }
  return check_cases(cases);
}

Outcome gaussian_kl_backward() {
  Generator gen(14);
  std::vector<Case> cases;
  for (const Shape& shape : {Shape{2, 3}, Shape{3, 2}}) {
    cases.push_back({"mu " + shape_str(shape),
                     [](const Inputs& in) { return Inputs{exercises::gaussian_kl(in[0], in[1])}; },
                     [](const Inputs& in) {
                       return Inputs{nn::kl_normal_loss(in[0], in[1], nn::Reduction::sum)};
                     },
                     {input("mu", shape, gen), input("logvar", shape, gen)},
                     nullptr});
  }
  return check_cases(cases);
}

}  // namespace

const std::vector<Exercise>& all_exercises() {
  static const std::vector<Exercise> exercises = {
      {"sigmoid_backward", 2, sigmoid_backward},
      {"tanh_backward", 2, tanh_backward},
      {"add_broadcast_backward", 2, add_broadcast_backward},
      {"softplus_backward", 3, softplus_backward},
      {"matmul_backward", 3, matmul_backward},
      {"log_softmax_backward", 3, log_softmax_backward},
      {"swish_layer", 4, swish_layer},
      {"linear_backward", 5, linear_backward},
      {"dropout_backward", 6, dropout_backward},
      {"bce_backward", 7, bce_backward},
      {"mse_backward", 8, mse_backward},
      {"l2_penalty_backward", 9, l2_penalty_backward},
      {"kl_sparsity_backward", 10, kl_sparsity_backward},
      {"reparameterize_backward", 11, reparameterize_backward},
      {"gaussian_kl_backward", 11, gaussian_kl_backward},
  };
  return exercises;
}

}  // namespace xtgrad::exercises
