// Chapter 1: float32 for training, float64 for checks.
//
// float32 keeps 24 bits of mantissa (about 7 decimal digits, machine epsilon 2^-23 = 1.2e-7);
// float64 keeps 53 (about 16 digits, 2^-52 = 2.2e-16). Training is float32: half the memory
// and about twice the arithmetic per second, and the gradient of a mini-batch is noisy far
// beyond 7 digits anyway. A gradient check subtracts two nearly equal numbers, which loses
// most of the digits there are: it needs float64 (chapter 3 measures it).
//
//   ch01_dtypes [--short] [--out DIR]     (--short: a smaller matmul; it writes no file)
#include <chrono>
#include <cstdio>
#include <iostream>

#include "../common/program_args.hpp"
#include "tensor/all.hpp"

using namespace xtgrad;

namespace {

// Milliseconds for one (n, n) @ (n, n) matmul in `dtype`, the best of 3 (wall clock).
double matmul_ms(std::int64_t n, DType dtype) {
  Generator gen(1);
  const Tensor a = randn({n, n}, gen, dtype);
  const Tensor b = randn({n, n}, gen, dtype);
  double best = 1e30;
  for (int repeat = 0; repeat < 3; ++repeat) {
    const auto start = std::chrono::steady_clock::now();
    const Tensor c = matmul(a, b);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const bool short_mode = book::parse_program_args(argc, argv, "ch01_dtypes").short_mode;
  std::printf("%-8s %6s %24s\n", "dtype", "bytes", "Fashion-MNIST (60000, 784)");
  for (DType d : {DType::float32, DType::float64}) {
    std::printf("%-8s %6zu %21.1f MB\n", dtype_name(d).c_str(), dtype_size(d),
                60000.0 * 784 * static_cast<double>(dtype_size(d)) / 1e6);
  }

  // [book:epsilon]
  // 1 + delta is rounded back to 1 once delta is below half the spacing of the numbers near 1.
  const double delta = 1e-8;
  const Tensor one32 = ones({1}, DType::float32), one64 = ones({1}, DType::float64);
  const double lost32 = ((one32 + delta) - 1.0).item();  // computed in float32
  const double kept64 = ((one64 + delta) - 1.0).item();  // computed in float64
  std::printf("\n(1 + 1e-8) - 1 in float32 = %.3e,  in float64 = %.3e\n", lost32, kept64);
  // [/book:epsilon]

  // [book:difference]
  // The derivative of x^2 at x = 1 is 2. A central difference (f(x+h) - f(x-h)) / 2h with
  // h = 1e-4 subtracts two numbers that agree in their first 4 digits: float32 has 3 left.
  const double h = 1e-4;
  double estimate[2];
  int k = 0;
  for (DType d : {DType::float32, DType::float64}) {
    const Tensor x = ones({1}, d);
    estimate[k++] = ((square(x + h) - square(x - h)) / (2 * h)).item();
  }
  std::printf(
      "d(x^2)/dx at 1 by central difference, h = 1e-4: float32 %.12f, float64 %.12f (exact 2)\n",
      estimate[0], estimate[1]);
  // [/book:difference]

  // [book:mixing]
  // Dtypes never mix silently: convert one operand with .to().
  try {
    const Tensor wrong = one32 + one64;
  } catch (const DTypeError& e) {
    std::cout << "\nfloat32 + float64 throws DTypeError: " << e.what() << "\n";
  }
  const Tensor converted = one32.to(DType::float64) + one64;
  std::cout << "one32.to(DType::float64) + one64 = " << converted << "\n";
  // [/book:mixing]

  // Wall-clock timings: they depend on the machine and its load.
  const std::int64_t n = short_mode ? 256 : 1024;
  const double ms32 = matmul_ms(n, DType::float32), ms64 = matmul_ms(n, DType::float64);
  std::printf("\n(timing) matmul (%lld, %lld) @ (%lld, %lld): float32 %.2f ms, float64 %.2f ms\n",
              static_cast<long long>(n), static_cast<long long>(n), static_cast<long long>(n),
              static_cast<long long>(n), ms32, ms64);

  std::printf("\nresult one_plus_1e8_float32 %.3e\n", lost32);
  std::printf("result one_plus_1e8_float64 %.3e\n", kept64);
  std::printf("result central_difference_float32 %.12f\n", estimate[0]);
  std::printf("result central_difference_float64 %.12f\n", estimate[1]);
  // Exit 0 when float32 lost the 1e-8 and float64 kept it, as the text says.
  return lost32 == 0.0 && kept64 > 0.0 ? 0 : 1;
}
