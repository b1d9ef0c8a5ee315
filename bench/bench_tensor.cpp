// bench_tensor: how fast are xtgrad's tensor kernels at the sizes the autoencoders use?
//
// What is measured (float32 unless the name says f64; N = 256 samples, D = 784 pixels):
//   - matmul at the encoder/decoder shapes, plus the two backward forms (transposed operands
//     as BLAS flags), reported in GFLOP/s ("FLOPS" counter, 2*m*n*k per call, wall time);
//     matmul_into shows what a preallocated output saves; one float64 matmul for comparison.
//   - elementwise ops on (N, D): add, add with a broadcast bias row, scalar mul, exp, sigmoid,
//     relu, tanh, where, clamp, and the in-place SGD step w.add_(g, -lr). bytes_per_second
//     counts each input read and the output written once (a broadcast row counts D floats).
//   - reductions on (N, D): sum, sum over axes, mean, max, argmax, var, sum_to. Bytes = input.
//   - gather_rows: a random mini-batch of 256 rows out of a (60000, 784) data set, and the
//     same into a reused batch buffer (gather_rows_into).
// Every call that returns a Tensor allocates its result, as in real use; that cost is
// included (compare matmul with matmul_into to see it).
//
// How to run (single-threaded OpenBLAS, so matmul numbers are per core):
//   OPENBLAS_NUM_THREADS=1 build/dev/bench/bench_tensor --benchmark_min_time=0.2
//   OPENBLAS_NUM_THREADS=1 build/dev/bench/bench_tensor --benchmark_filter=matmul
// or bench/run_tensor_bench, which builds the dev preset and also writes build/bench/tensor.json.
// Google Benchmark 1.7.1 takes --benchmark_min_time as a plain double (0.2, not "0.2s").
//
// NOTE: absolute numbers are noisy on a shared 2-core machine. Compare ratios within one run
// (broadcast add vs add, matmul vs matmul_into, f32 vs f64), not numbers across runs.
// The "Library was built as DEBUG" warning is about Debian's libbenchmark itself (built
// without NDEBUG), not about xtgrad, which the dev preset builds with -O2.
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "tensor/all.hpp"

namespace {

using xtgrad::DType;
using xtgrad::Generator;
using xtgrad::Shape;
using xtgrad::Tensor;

constexpr std::int64_t kBatch = 256;   // N
constexpr std::int64_t kPixels = 784;  // D = 28 * 28

// Every benchmark draws its inputs from its own seeded generator, so runs are repeatable.
Tensor randn_input(const Shape& shape, std::uint64_t seed, DType dtype = DType::float32) {
  Generator gen(seed);
  return xtgrad::randn(shape, gen, dtype);
}

std::int64_t bytes_of(const Tensor& t) {
  return t.numel() * static_cast<std::int64_t>(xtgrad::dtype_size(t.dtype()));
}

// --- matmul -----------------------------------------------------------------------------------

// GFLOP/s: a matmul of (m, k) by (k, n) does m*n*k multiply-adds = 2*m*n*k flops.
void set_flops(benchmark::State& state, std::int64_t m, std::int64_t n, std::int64_t k) {
  state.counters["FLOPS"] = benchmark::Counter(2.0 * static_cast<double>(m * n * k),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

// (m, k) @ (k, n) -> (m, n); args are {m, k, n}.
void BM_matmul(benchmark::State& state, DType dtype) {
  const std::int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const Tensor a = randn_input({m, k}, 1, dtype);
  const Tensor b = randn_input({k, n}, 2, dtype);
  for (auto _ : state) {
    Tensor y = xtgrad::matmul(a, b);
    benchmark::DoNotOptimize(y);
  }
  set_flops(state, m, n, k);
}
BENCHMARK_CAPTURE(BM_matmul, f32, DType::float32)
    ->ArgNames({"m", "k", "n"})
    ->Args({256, 784, 32})  // encoder layer of the small autoencoder
    ->Args({256, 784, 256})
    ->Args({128, 784, 1000})  // first layer of the deep autoencoder
    ->Args({128, 1000, 500})
    ->UseRealTime();  // OpenBLAS may use threads: CPU time would under-count
BENCHMARK_CAPTURE(BM_matmul, f64, DType::float64)
    ->ArgNames({"m", "k", "n"})
    ->Args({256, 784, 256})
    ->UseRealTime();

// The same product into a preallocated output: no allocation per call.
void BM_matmul_into(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const Tensor a = randn_input({m, k}, 1);
  const Tensor b = randn_input({k, n}, 2);
  Tensor y = Tensor::empty({m, n});
  for (auto _ : state) {
    xtgrad::matmul_into(y, a, b);
    benchmark::DoNotOptimize(y);
  }
  set_flops(state, m, n, k);
}
BENCHMARK(BM_matmul_into)
    ->ArgNames({"m", "k", "n"})
    ->Args({256, 784, 32})
    ->Args({256, 784, 256})
    ->UseRealTime();

// Backward of y = x @ w with x (N, D), w (D, H), grad_y (N, H); N = 256, D = 784, H = 256.
//   grad_x = grad_y @ w^T   (N, H) @ (D, H)^T -> (N, D)
void BM_matmul_grad_x(benchmark::State& state) {
  const std::int64_t n = kBatch, d = kPixels, h = 256;
  const Tensor grad_y = randn_input({n, h}, 3);
  const Tensor w = randn_input({d, h}, 2);
  for (auto _ : state) {
    Tensor grad_x = xtgrad::matmul(grad_y, w, false, true);
    benchmark::DoNotOptimize(grad_x);
  }
  set_flops(state, n, d, h);
}
BENCHMARK(BM_matmul_grad_x)->UseRealTime();

//   grad_w = x^T @ grad_y   (N, D)^T @ (N, H) -> (D, H)
void BM_matmul_grad_w(benchmark::State& state) {
  const std::int64_t n = kBatch, d = kPixels, h = 256;
  const Tensor x = randn_input({n, d}, 1);
  const Tensor grad_y = randn_input({n, h}, 3);
  for (auto _ : state) {
    Tensor grad_w = xtgrad::matmul(x, grad_y, true, false);
    benchmark::DoNotOptimize(grad_w);
  }
  set_flops(state, d, h, n);
}
BENCHMARK(BM_matmul_grad_w)->UseRealTime();

// --- elementwise on (N, D) ---------------------------------------------------------------------

// A function of one tensor: an op, or a lambda that fixes an op's other arguments.
using TensorFn = Tensor (*)(const Tensor&);

// y = op(x): reads x, writes y.
void BM_unary(benchmark::State& state, TensorFn op) {
  const Tensor x = randn_input({kBatch, kPixels}, 1);
  for (auto _ : state) {
    Tensor y = op(x);
    benchmark::DoNotOptimize(y);
  }
  state.SetBytesProcessed(state.iterations() * 2 * bytes_of(x));
}
BENCHMARK_CAPTURE(BM_unary, exp, &xtgrad::exp);
BENCHMARK_CAPTURE(BM_unary, sigmoid, &xtgrad::sigmoid);
BENCHMARK_CAPTURE(BM_unary, relu, &xtgrad::relu);
BENCHMARK_CAPTURE(BM_unary, tanh, &xtgrad::tanh);

// a + b with b of shape `b_shape`: (N, D) for the plain add, (D,) for a bias row that is
// broadcast over the batch.
void BM_add(benchmark::State& state, Shape b_shape) {
  const Tensor a = randn_input({kBatch, kPixels}, 1);
  const Tensor b = randn_input(b_shape, 2);
  for (auto _ : state) {
    Tensor y = a + b;
    benchmark::DoNotOptimize(y);
  }
  state.SetBytesProcessed(state.iterations() * (2 * bytes_of(a) + bytes_of(b)));
}
BENCHMARK_CAPTURE(BM_add, same_shape, Shape{kBatch, kPixels});
BENCHMARK_CAPTURE(BM_add, broadcast_row, Shape{kPixels});

void BM_mul_scalar(benchmark::State& state) {
  const Tensor x = randn_input({kBatch, kPixels}, 1);
  for (auto _ : state) {
    Tensor y = x * 0.5;
    benchmark::DoNotOptimize(y);
  }
  state.SetBytesProcessed(state.iterations() * 2 * bytes_of(x));
}
BENCHMARK(BM_mul_scalar);

void BM_clamp(benchmark::State& state) {
  const Tensor x = randn_input({kBatch, kPixels}, 1);
  for (auto _ : state) {
    Tensor y = xtgrad::clamp(x, -1.0, 1.0);
    benchmark::DoNotOptimize(y);
  }
  state.SetBytesProcessed(state.iterations() * 2 * bytes_of(x));
}
BENCHMARK(BM_clamp);

// where(x > 0, a, b): a boolean condition (1 byte per element) and two float operands.
void BM_where(benchmark::State& state) {
  const Tensor x = randn_input({kBatch, kPixels}, 1);
  const Tensor condition = x > 0.0;
  const Tensor a = randn_input({kBatch, kPixels}, 2);
  const Tensor b = randn_input({kBatch, kPixels}, 3);
  for (auto _ : state) {
    Tensor y = xtgrad::where(condition, a, b);
    benchmark::DoNotOptimize(y);
  }
  state.SetBytesProcessed(state.iterations() * (bytes_of(condition) + 3 * bytes_of(a)));
}
BENCHMARK(BM_where);

// The SGD step w -= lr * grad, in place: reads w and grad, writes w; allocates nothing.
void BM_sgd_step_add_(benchmark::State& state) {
  Tensor w = randn_input({kBatch, kPixels}, 1);
  const Tensor grad = randn_input({kBatch, kPixels}, 2);
  const double lr = 1e-3;
  for (auto _ : state) {
    w.add_(grad, -lr);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 3 * bytes_of(w));
}
BENCHMARK(BM_sgd_step_add_);

// --- reductions on (N, D) ----------------------------------------------------------------------

void BM_reduce(benchmark::State& state, TensorFn op) {
  const Tensor x = randn_input({kBatch, kPixels}, 1);
  for (auto _ : state) {
    Tensor y = op(x);
    benchmark::DoNotOptimize(y);
  }
  state.SetBytesProcessed(state.iterations() * bytes_of(x));
}
// Non-capturing lambdas convert to TensorFn; each one names the call it measures.
BENCHMARK_CAPTURE(BM_reduce, sum_all, [](const Tensor& x) { return xtgrad::sum(x); });
BENCHMARK_CAPTURE(BM_reduce, sum_axis0, [](const Tensor& x) { return xtgrad::sum(x, {0}); });
BENCHMARK_CAPTURE(BM_reduce, sum_axis1_keepdim,
                  [](const Tensor& x) { return xtgrad::sum(x, {1}, true); });
BENCHMARK_CAPTURE(BM_reduce, mean_axis0, [](const Tensor& x) { return xtgrad::mean(x, {0}); });
BENCHMARK_CAPTURE(BM_reduce, max_axis1, [](const Tensor& x) { return xtgrad::max(x, {1}); });
BENCHMARK_CAPTURE(BM_reduce, argmax_axis1, [](const Tensor& x) { return xtgrad::argmax(x, 1); });
BENCHMARK_CAPTURE(BM_reduce, var_axis0, [](const Tensor& x) { return xtgrad::var(x, {0}); });
// The gradient of a broadcast bias: (N, D) summed down to (D,).
BENCHMARK_CAPTURE(BM_reduce, sum_to_row,
                  [](const Tensor& x) { return xtgrad::sum_to(x, {kPixels}); });

// --- mini-batch gather ---------------------------------------------------------------------------

// A (60000, 784) float32 stand-in for the Fashion-MNIST training images (188 MB), made once
// and shared by the gather benchmarks (Google Benchmark calls each function several times).
const Tensor& training_images() {
  static const Tensor images = [] {
    Generator gen(7);
    return xtgrad::rand({60000, kPixels}, gen);
  }();
  return images;
}

std::vector<std::int64_t> random_batch_rows(std::int64_t n_rows) {
  Generator gen(8);
  std::vector<std::int64_t> order = xtgrad::randperm(n_rows, gen);
  order.resize(kBatch);
  return order;
}

void BM_gather_rows(benchmark::State& state) {
  const Tensor& images = training_images();
  const std::vector<std::int64_t> rows = random_batch_rows(images.size(0));
  for (auto _ : state) {
    Tensor batch = xtgrad::gather_rows(images, rows);
    benchmark::DoNotOptimize(batch);
  }
  state.SetBytesProcessed(state.iterations() * 2 * kBatch * kPixels *
                          static_cast<std::int64_t>(sizeof(float)));
}
BENCHMARK(BM_gather_rows);

void BM_gather_rows_into(benchmark::State& state) {
  const Tensor& images = training_images();
  const std::vector<std::int64_t> rows = random_batch_rows(images.size(0));
  Tensor batch = Tensor::empty({kBatch, kPixels});
  for (auto _ : state) {
    xtgrad::gather_rows_into(batch, images, rows);
    benchmark::DoNotOptimize(batch);
  }
  state.SetBytesProcessed(state.iterations() * 2 * bytes_of(batch));
}
BENCHMARK(BM_gather_rows_into);

}  // namespace
