// Chapter 3: the gradient check of Stanford's UFLDL tutorial, by hand and with gradcheck().
//
//   J(theta) = theta_1^2 + 3 theta_1 theta_2  at theta = (4, 10)
//   analytic gradient  (2 theta_1 + 3 theta_2, 3 theta_1) = (38, 12)
//   numeric gradient   (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps),  eps = 1e-4
//   UFLDL's measure    ||num - ana|| / ||num + ana||   (about 1e-9 or less when right)
// Then the same with a planted bug (the 2 of d(theta_1^2) forgotten), and gradcheck() on
// the same function, which prints the same ratio.
//
//   ch03_ufldl [--short] [--out DIR]  (it takes no time and writes no file; --short changes nothing)
#include <cmath>
#include <cstdio>
#include <vector>

#include "../common/program_args.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;

namespace {

double J(const std::vector<double>& t) { return t[0] * t[0] + 3 * t[0] * t[1]; }

std::vector<double> analytic(const std::vector<double>& t) {
  return {2 * t[0] + 3 * t[1], 3 * t[0]};
}
std::vector<double> analytic_with_bug(const std::vector<double>& t) {
  return {t[0] + 3 * t[1], 3 * t[0]};
}

// [book:numeric]
// One central difference per element of theta: 2 n evaluations of J for n parameters.
std::vector<double> numeric(const std::vector<double>& theta, double eps) {
  std::vector<double> grad(theta.size());
  for (std::size_t i = 0; i < theta.size(); ++i) {
    std::vector<double> plus = theta, minus = theta;
    plus[i] += eps;
    minus[i] -= eps;
    grad[i] = (J(plus) - J(minus)) / (2 * eps);
  }
  return grad;
}

// ||num - ana|| / ||num + ana||: scale-free, near 0 when they agree, 1 when one is 0.
double ufldl_ratio(const std::vector<double>& num, const std::vector<double>& ana) {
  double diff2 = 0, sum2 = 0;
  for (std::size_t i = 0; i < num.size(); ++i) {
    diff2 += (num[i] - ana[i]) * (num[i] - ana[i]);
    sum2 += (num[i] + ana[i]) * (num[i] + ana[i]);
  }
  return std::sqrt(diff2) / std::sqrt(sum2);
}
// [/book:numeric]

void print(const char* label, const std::vector<double>& g) {
  std::printf("  %-28s (%.10f, %.10f)\n", label, g[0], g[1]);
}

}  // namespace

int main(int argc, char** argv) {
  book::parse_program_args(argc, argv, "ch03_ufldl");
  const std::vector<double> theta{4, 10};
  const double eps = 1e-4;
  const std::vector<double> num = numeric(theta, eps);
  std::printf("J(theta) = theta_1^2 + 3 theta_1 theta_2 at theta = (4, 10), eps = 1e-4\n");
  print("numeric", num);
  print("analytic", analytic(theta));
  print("analytic with a bug", analytic_with_bug(theta));
  const double right = ufldl_ratio(num, analytic(theta));
  const double wrong = ufldl_ratio(num, analytic_with_bug(theta));
  std::printf("  ||num - ana|| / ||num + ana||: right %.4e, with the bug %.4f\n", right, wrong);

  // [book:gradcheck]
  // The same J with Variables; gradcheck perturbs theta itself and compares with backward.
  Variable t(tensor({4, 10}, DType::float64), true);
  t.set_name("theta");
  GradcheckOptions options;
  options.eps = 1e-4;  // UFLDL's; gradcheck's default is 1e-6
  const GradcheckReport report = gradcheck(
      [](const std::vector<Variable>& in) {
        const Variable t1 = sum(in[0] * Variable(tensor({1, 0}, DType::float64)));  // theta_1
        const Variable t2 = sum(in[0] * Variable(tensor({0, 1}, DType::float64)));  // theta_2
        return t1 * t1 + 3.0 * t1 * t2;
      },
      {t}, options);
  std::printf("\ngradcheck: %s\n", report.summary().c_str());
  // [/book:gradcheck]

  std::printf("\nresult ufldl_ratio_right %.4e\n", right);
  std::printf("result ufldl_ratio_bug %.4f\n", wrong);
  std::printf("result gradcheck_ufldl_ratio %.4e\n", report.ufldl_ratio);
  return right < 1e-9 && wrong > 1e-2 && report.passed ? 0 : 1;
}
