// Chapter 3: why gradient checks run in float64. The relative error of a central difference
// against the exact derivative, for steps eps from 1e-1 to 1e-12, in float32 and float64.
//
//   f(x) = sigmoid(x) at x = 0.5;   exact f'(x) = s (1 - s) with s = sigmoid(x)
//   central difference  (f(x + eps) - f(x - eps)) / (2 eps)
//     truncation error  ~ eps^2 |f'''(x)| / 6          (Taylor: the odd terms cancel)
//     rounding error    ~ u |f(x)| / eps               (u: 6.0e-8 float32, 1.1e-16 float64)
// Their sum is smallest near eps ~ (3 u |f| / |f'''|)^(1/3): about 1e-2 for float32 and
// 1e-5 for float64. On a log-log plot the error is a V: rounding on the left, truncation on
// the right. The chart draws log10 of each error: '*' float32, 'o' float64.
//
//   ch03_eps_curve [--short] [--out DIR]  (it takes no time and writes no file; --short changes nothing)
#include <cmath>
#include <cstdio>
#include <string>

#include "../common/program_args.hpp"
#include "tensor/all.hpp"

using namespace xtgrad;

namespace {

// [book:difference]
// The central difference of sigmoid at x, every step in `dtype` (x +- eps rounded to it too).
double central_difference(double x, double eps, DType dtype) {
  const Tensor at = full({1}, x, dtype);
  const Tensor plus = sigmoid(at + eps);
  const Tensor minus = sigmoid(at - eps);
  return ((plus - minus) / (2 * eps)).item();
}
// [/book:difference]

// A row of the chart: columns for log10(error) from -16 (left) to 0 (right).
std::string chart(double err32, double err64) {
  std::string row(33, ' ');
  auto column = [](double err) {
    const double l = std::log10(std::max(err, 1e-16));
    return static_cast<std::size_t>(std::lround(std::min(std::max((l + 16) * 2, 0.0), 32.0)));
  };
  row[column(err64)] = 'o';
  row[column(err32)] = row[column(err32)] == 'o' ? '#' : '*';
  return "|" + row + "|";
}

}  // namespace

int main(int argc, char** argv) {
  book::parse_program_args(argc, argv, "ch03_eps_curve");
  const double x = 0.5;
  const double s = 1 / (1 + std::exp(-x));
  const double exact = s * (1 - s);
  std::printf("f(x) = sigmoid(x) at x = %.1f, exact f'(x) = %.15f\n\n", x, exact);
  std::printf("%8s %14s %14s   %-35s\n", "eps", "float32", "float64",
              "log10(relative error): -16 ... 0");

  double best32 = 1, best64 = 1, at32 = 0, at64 = 0;
  for (int k = 1; k <= 12; ++k) {
    const double eps = std::pow(10.0, -k);
    const double err32 = std::abs(central_difference(x, eps, DType::float32) - exact) / exact;
    const double err64 = std::abs(central_difference(x, eps, DType::float64) - exact) / exact;
    std::printf("%8.0e %14.3e %14.3e   %s\n", eps, err32, err64, chart(err32, err64).c_str());
    if (err32 < best32) best32 = err32, at32 = eps;
    if (err64 < best64) best64 = err64, at64 = eps;
  }
  std::printf("\nsmallest error: float32 %.1e at eps = %.0e, float64 %.1e at eps = %.0e\n", best32,
              at32, best64, at64);
  std::printf("result float32_best_eps_log10 %d\n",
              static_cast<int>(std::lround(std::log10(at32))));
  std::printf("result float64_best_eps_log10 %d\n",
              static_cast<int>(std::lround(std::log10(at64))));
  std::printf("result float32_best_error_log10 %.1f\n", std::log10(best32));
  std::printf("result float64_best_error_log10 %.1f\n", std::log10(best64));
  // float64 must reach what a gradient check needs (gradcheck's rtol is 1e-3; we want far below).
  return best64 < 1e-8 && best32 > 1e-6 ? 0 : 1;
}
