// bench_train: one training step (zero_grad, loss, backward, Adam step) of the four reference
// autoencoders of ../shared/peers/torch_peer.py, with the same layer sizes, activations, losses,
// optimizer and batch sizes, on a fixed batch of uniform random pixels as the peer uses:
//
//   keras_basic   784-32 ReLU code, sigmoid output, BCE, batch 256        peer: basic_784_32
//   keras_deep    784-128-64-32, ReLU between layers, linear code, batch 256   deep_784_128_64_32
//   hinton_relu   784-1000-500-250-30 likewise, batch 128                 hinton_784_1000_500_250_30
//   vae           784-400-20 ReLU, Bernoulli decoder, BCE + KL, batch 128  vae_784_400_20
//
// (The peer's mlp() puts no activation after a stack's last layer, so its codes are linear:
// so are these, which makes keras_deep differ from the keras-deep config's ReLU code.)
// Counters: samples_per_second, and GFLOPS, the matrix-multiply work of a step (forward,
// grad of the weights, grad of the inputs but the first layer's) per second.
//
//   OPENBLAS_NUM_THREADS=1 build/release/bench/bench_train --benchmark_min_time=2
// bench/compare runs it against PyTorch in one run.
#include <benchmark/benchmark.h>

#include <memory>

#include "autoencoders/deep.hpp"
#include "autoencoders/variational.hpp"
#include "nn/optimizers.hpp"
#include "tensor/all.hpp"

using namespace xtgrad;

namespace {

// Multiply-add work of one training step: 2 N in out per product, three products per layer
// (forward, weight gradient, input gradient), minus the first layer's input gradient.
double step_flops(const std::vector<std::pair<std::int64_t, std::int64_t>>& layers, std::int64_t batch) {
  double flops = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const double one = 2.0 * static_cast<double>(batch * layers[i].first * layers[i].second);
    flops += i == 0 ? 2 * one : 3 * one;
  }
  return flops;
}

// The mirrored layers of sizes, down and back up, as (in, out) pairs.
std::vector<std::pair<std::int64_t, std::int64_t>> mirrored(const std::vector<std::int64_t>& sizes) {
  std::vector<std::pair<std::int64_t, std::int64_t>> layers;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) layers.emplace_back(sizes[i], sizes[i + 1]);
  for (std::size_t i = sizes.size() - 1; i > 0; --i) layers.emplace_back(sizes[i], sizes[i - 1]);
  return layers;
}

void run_steps(benchmark::State& state, ae::Autoencoder& model, std::int64_t batch, double flops) {
  Generator gen(0);
  const nn::Batch data{rand({batch, 784}, gen), Tensor(), {}};
  nn::Adam optimizer(model.parameters(), 1e-3);
  auto step = [&] {
    optimizer.zero_grad();
    Variable loss = model.loss(data);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
  for (int warm = 0; warm < 5; ++warm) step();  // as the peer: Adam's state allocated, caches warm
  for (auto _ : state) benchmark::DoNotOptimize(step());
  state.counters["samples_per_second"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOPS"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void deep_step(benchmark::State& state, const std::vector<std::int64_t>& sizes, std::int64_t batch) {
  ae::DeepConfig c;
  c.sizes = sizes;
  c.hidden = nn::Activation::relu;
  c.code = nn::Activation::identity;
  c.output = nn::Activation::sigmoid;
  c.loss = ae::ReconstructionLoss::bce;
  Generator gen(0);
  ae::DeepAutoencoder model(c, gen);
  run_steps(state, model, batch, step_flops(mirrored(sizes), batch));
}

void BM_TrainStep_keras_basic(benchmark::State& state) { deep_step(state, {784, 32}, 256); }
void BM_TrainStep_keras_deep(benchmark::State& state) { deep_step(state, {784, 128, 64, 32}, 256); }
void BM_TrainStep_hinton_relu(benchmark::State& state) { deep_step(state, {784, 1000, 500, 250, 30}, 128); }

void BM_TrainStep_vae(benchmark::State& state) {
  Generator gen(0);
  ae::VariationalAutoencoder model({784, 400, 20, 1.0}, gen, 1);
  // fc1, mu and logvar heads, two decoder layers
  const double flops = step_flops({{784, 400}, {400, 20}, {400, 20}, {20, 400}, {400, 784}}, 128);
  run_steps(state, model, 128, flops);
}

// The GEMM limit: only the matrix products of one hinton_relu step, on contiguous operands
// made beforehand (forward X W^T, weight gradient G^T X, input gradient G W per layer). Its
// samples_per_second is the most a step could reach if everything else took no time.
void BM_GemmOnly_hinton_relu(benchmark::State& state) {
  const std::int64_t batch = 128;
  const auto layers = mirrored({784, 1000, 500, 250, 30});
  Generator gen(0);
  struct Operands {
    Tensor x, w_t, g_t, g, w;
    bool input_grad;
  };
  std::vector<Operands> ops;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto [in, out] = layers[i];
    ops.push_back({rand({batch, in}, gen), rand({in, out}, gen), rand({out, batch}, gen), rand({batch, out}, gen),
                   rand({out, in}, gen), i != 0});
  }
  for (auto _ : state) {
    for (const Operands& o : ops) {
      benchmark::DoNotOptimize(matmul(o.x, o.w_t).data<float>());   // (N, out)
      benchmark::DoNotOptimize(matmul(o.g_t, o.x).data<float>());   // (out, in)
      if (o.input_grad) benchmark::DoNotOptimize(matmul(o.g, o.w).data<float>());  // (N, in)
    }
  }
  state.counters["samples_per_second"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOPS"] = benchmark::Counter(step_flops(layers, batch) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(BM_GemmOnly_hinton_relu)->Name("BM_GemmOnly/hinton_relu")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrainStep_keras_basic)->Name("BM_TrainStep/keras_basic")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrainStep_keras_deep)->Name("BM_TrainStep/keras_deep")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrainStep_hinton_relu)->Name("BM_TrainStep/hinton_relu")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrainStep_vae)->Name("BM_TrainStep/vae")->Unit(benchmark::kMillisecond)->UseRealTime();
