// Losses: known values, reductions, gradcheck in float64, errors.
#include <limits>

#include "../tensor/helpers.hpp"
#include "nn/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;
using nn::Reduction;

namespace {

Variable f64(std::initializer_list<std::initializer_list<double>> v, bool requires_grad = false) {
  return Variable(tensor(v, DType::float64), requires_grad);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(losses)

BOOST_AUTO_TEST_CASE(regression_losses_and_reductions) {
  Variable p = f64({{1, 2}, {3, 4}});
  Variable t = f64({{0, 2}, {5, 1}});
  check_tensor(nn::mse_loss(p, t, Reduction::none).data(), {2, 2}, {1, 0, 4, 9});
  check_tensor(nn::mse_loss(p, t).data(), {}, {3.5});
  check_tensor(nn::mse_loss(p, t, Reduction::sum).data(), {}, {14});
  check_tensor(nn::l1_loss(p, t).data(), {}, {1.5});
  check_throws<ShapeError>([&] { nn::mse_loss(p, Variable(zeros({2}, DType::float64))); },
                           {"mse_loss", "(2, 2)", "(2,)"});
}

BOOST_AUTO_TEST_CASE(binary_cross_entropy_values) {
  Variable p = f64({{0.5, 0.9}});
  Variable t = f64({{1, 0}});
  const double expected = (-std::log(0.5) - std::log(0.1)) / 2;
  check_tensor(nn::bce_loss(p, t).data(), {}, {expected}, 1e-12);
  Variable z = f64({{0, 2.1972245773362196}});  // logit(0.9)
  check_tensor(nn::bce_with_logits_loss(z, t).data(), {}, {expected}, 1e-12);
}

BOOST_AUTO_TEST_CASE(classification_losses) {
  Variable logits = f64({{1, 2, 3}, {1, 1, 1}});
  Tensor labels(std::vector<std::int64_t>{2, 0}, {2});
  const double l0 = -std::log(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  const double l1 = std::log(3.0);
  check_tensor(nn::cross_entropy_loss(logits, labels, Reduction::none).data(), {2}, {l0, l1},
               1e-12);
  check_tensor(nn::cross_entropy_loss(logits, labels).data(), {}, {(l0 + l1) / 2}, 1e-12);
  check_throws<IndexError>(
      [&] {
        nn::cross_entropy_loss(logits, Tensor(std::vector<std::int64_t>{3, 0}, {2}));
      },
      {"label 3", "sample 0", "[0, 3)"});
  check_throws<ShapeError>([&] { nn::nll_loss(logits, Tensor(std::vector<std::int64_t>{1}, {1})); },
                           {"nll_loss", "(2,)", "(1,)"});
  check_throws<DTypeError>(
      [&] {
        nn::nll_loss(logits, tensor({2, 0}));
      },
      {"nll_loss", "int64", "float32"});
  check_throws<DTypeError>(
      [&] {
        nn::cross_entropy_loss(logits, tensor({2, 0}));
      },
      {"cross_entropy_loss", "int64", "float32"});
}

// A log-probability of -inf (a probability of 0) off the label must not turn into NaN
// (-inf * 0): nll_loss picks the label's entry, as PyTorch does.
BOOST_AUTO_TEST_CASE(classification_losses_with_infinite_log_probs) {
  const double inf = std::numeric_limits<double>::infinity();
  Variable log_probs =
      f64({{-inf, 0}, {std::log(0.5), std::log(0.5)}}, true);  // log of {{0, 1}, {.5, .5}}
  Tensor labels(std::vector<std::int64_t>{1, 0}, {2});
  check_tensor(nn::nll_loss(log_probs, labels, Reduction::none).data(), {2}, {0, std::log(2.0)},
               1e-12);
  Variable loss = nn::nll_loss(log_probs, labels);
  check_tensor(loss.data(), {}, {std::log(2.0) / 2}, 1e-12);
  loss.backward();
  check_tensor(log_probs.grad().data(), {2, 2}, {0, -0.5, -0.5, 0}, 1e-12);  // -1/N at each label

  // Cross-entropy with a logit of -inf: softmax (0, 1/2, 1/2); gradient softmax - one_hot.
  Variable logits = f64({{-inf, 0, 0}}, true);
  Variable ce = nn::cross_entropy_loss(logits, Tensor(std::vector<std::int64_t>{1}, {1}));
  check_tensor(ce.data(), {}, {std::log(2.0)}, 1e-12);
  ce.backward();
  check_tensor(logits.grad().data(), {1, 3}, {0, -0.5, 0.5}, 1e-12);
}

BOOST_AUTO_TEST_CASE(kl_of_a_diagonal_gaussian) {
  // KL(N(mu, s^2) || N(0, 1)) = (s^2 + mu^2 - 1 - log s^2) / 2 per dimension
  Variable mu = f64({{0, 1}, {0.5, 0}});
  Variable logvar = f64({{0, std::log(4.0)}, {0, 0}});
  const double row0 = 0 + (4 + 1 - 1 - std::log(4.0)) / 2;
  const double row1 = 0.25 / 2;
  check_tensor(nn::kl_normal_loss(mu, logvar, Reduction::none).data(), {2}, {row0, row1}, 1e-12);
  check_tensor(nn::kl_normal_loss(mu, logvar).data(), {}, {row0 + row1}, 1e-12);
  check_tensor(nn::kl_normal_loss(mu, logvar, Reduction::mean).data(), {}, {(row0 + row1) / 2},
               1e-12);
}

BOOST_AUTO_TEST_CASE(sparsity_penalties) {
  Variable h = f64({{0.1, 0.5}, {0.3, 0.5}});  // mean activations 0.2 and 0.5
  auto kl = [](double rho, double r) {
    return rho * std::log(rho / r) + (1 - rho) * std::log((1 - rho) / (1 - r));
  };
  check_tensor(nn::kl_sparsity_loss(h, 0.2, Reduction::none).data(), {2}, {0, kl(0.2, 0.5)}, 1e-12);
  check_tensor(nn::kl_sparsity_loss(h, 0.2).data(), {}, {kl(0.2, 0.5)}, 1e-12);
  check_tensor(nn::l1_activity_loss(f64({{-1, 2}})).data(), {}, {1.5});
  check_tensor(nn::l2_penalty({f64({{1, 2}}), f64({{3}})}).data(), {}, {7});
  check_throws<ValueError>([&] { nn::kl_sparsity_loss(h, 1.0); }, {"kl_sparsity_loss", "rho"});
}

BOOST_AUTO_TEST_CASE(every_loss_passes_gradcheck) {
  Generator gen(2);
  auto u = [&](const Shape& s, double lo, double hi) {
    return Variable(uniform(s, lo, hi, gen, DType::float64), true);
  };
  Tensor labels(std::vector<std::int64_t>{0, 2, 1}, {3});
  using F = std::function<Variable(const std::vector<Variable>&)>;
  const std::vector<std::tuple<std::string, F, std::vector<Variable>>> cases = {
      {"mse",
       [](auto& in) { return nn::mse_loss(in[0], in[1]); },
       {u({3, 2}, -1, 1), u({3, 2}, -1, 1)}},
      {"l1",
       [](auto& in) { return nn::l1_loss(in[0], in[1], Reduction::sum); },
       {u({3, 2}, 0.1, 1), u({3, 2}, -1, -0.1)}},
      {"bce",
       [](auto& in) { return nn::bce_loss(in[0], in[1]); },
       {u({3, 2}, 0.1, 0.9), u({3, 2}, 0, 1)}},
      {"bce_logits",
       [](auto& in) { return nn::bce_with_logits_loss(in[0], in[1]); },
       {u({3, 2}, -3, 3), u({3, 2}, 0, 1)}},
      {"cross_entropy",
       [&](auto& in) { return nn::cross_entropy_loss(in[0], labels); },
       {u({3, 3}, -2, 2)}},
      {"kl_normal",
       [](auto& in) { return nn::kl_normal_loss(in[0], in[1]); },
       {u({3, 2}, -1, 1), u({3, 2}, -1, 1)}},
      {"kl_sparsity",
       [](auto& in) { return nn::kl_sparsity_loss(in[0], 0.1); },
       {u({4, 3}, 0.05, 0.95)}},
      {"l1_activity", [](auto& in) { return nn::l1_activity_loss(in[0]); }, {u({3, 2}, 0.1, 1)}},
      {"l2_penalty",
       [](auto& in) {
         return nn::l2_penalty({in[0], in[1]});
       },
       {u({2, 2}, -1, 1), u({3}, -1, 1)}},
  };
  for (const auto& [name, f, inputs] : cases) {
    BOOST_TEST_CONTEXT(name) {
      const GradcheckReport r = gradcheck(f, inputs);
      BOOST_TEST(r.passed, r.message);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
