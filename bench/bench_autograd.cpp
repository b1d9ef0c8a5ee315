// bench_autograd: what does the tape cost on top of the tensor kernels?
//
// On 1-element tensors the kernels cost almost nothing, so the time per op is the overhead
// of the Variable machinery. Four variants of y = x * w:
//   tensor      Tensor * Tensor: the kernel and its allocation alone (the baseline)
//   no_grad     Variable * Variable inside a NoGradGuard: dispatch, nothing recorded
//   record      Variable * Variable with w requiring grad: a Node is recorded, then freed
//   backward    record plus backward() through the one node
// Recording overhead per op = record - no_grad (the brief's target: under 1 us).
// A chain of 100 recorded ops (forward, then backward) shows the cost per op in a graph: with a
// number as the factor (y * 1.0001, one input per op) and with a 1-element tensor (two inputs).
//
//   OPENBLAS_NUM_THREADS=1 build/dev/bench/bench_autograd --benchmark_min_time=0.2
// NOTE: compare ratios within one run; the machine is shared.
#include <benchmark/benchmark.h>

#include "autograd/all.hpp"

using namespace xtgrad;

namespace {

void BM_tensor_mul(benchmark::State& state) {
  Tensor x = full({1}, 1.5), w = full({1}, 0.5);
  for (auto _ : state) {
    Tensor y = x * w;
    benchmark::DoNotOptimize(y.data<float>());
  }
}
BENCHMARK(BM_tensor_mul);

void BM_variable_mul_no_grad(benchmark::State& state) {
  Variable x(full({1}, 1.5)), w(full({1}, 0.5), true);
  NoGradGuard no_grad;
  for (auto _ : state) {
    Variable y = x * w;
    benchmark::DoNotOptimize(y.impl().get());
  }
}
BENCHMARK(BM_variable_mul_no_grad);

void BM_variable_mul_record(benchmark::State& state) {
  Variable x(full({1}, 1.5)), w(full({1}, 0.5), true);
  for (auto _ : state) {
    Variable y = x * w;
    benchmark::DoNotOptimize(y.impl().get());
  }
}
BENCHMARK(BM_variable_mul_record);

void BM_variable_mul_record_backward(benchmark::State& state) {
  Variable x(full({1}, 1.5)), w(full({1}, 0.5), true);
  for (auto _ : state) {
    Variable y = x * w;
    y.backward();
    benchmark::DoNotOptimize(w.grad().impl().get());
  }
}
BENCHMARK(BM_variable_mul_record_backward);

// A chain of n ops: forward records n nodes, backward walks them. Time per op reported.
void BM_chain_forward_backward(benchmark::State& state) {
  const auto n = state.range(0);
  Variable x(full({1}, 1.0), true);
  for (auto _ : state) {
    Variable y = x;
    for (std::int64_t i = 0; i < n; ++i) y = y * 1.0001;
    y.backward();
    x.zero_grad();
  }
  state.counters["ns_per_op"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
}
BENCHMARK(BM_chain_forward_backward)->Arg(100);

// The same chain with a 1-element tensor for the factor instead of a number: each op then
// records two inputs (Mul) and saves both, as a chain of tensor ops does.
void BM_chain_tensor_forward_backward(benchmark::State& state) {
  const auto n = state.range(0);
  Variable x(full({1}, 1.0), true);
  const Variable factor(full({1}, 1.0001));
  for (auto _ : state) {
    Variable y = x;
    for (std::int64_t i = 0; i < n; ++i) y = y * factor;
    y.backward();
    x.zero_grad();
  }
  state.counters["ns_per_op"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
}
BENCHMARK(BM_chain_tensor_forward_backward)->Arg(100);

}  // namespace
