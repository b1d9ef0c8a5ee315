// bench_train: one training step (zero_grad, loss, backward, Adam step) of the four reference
// configurations, built from their named configs (autoencoders/configs/NAME.json) as `xtgrad
// train --config NAME` builds them: model, initialisation, batch size, Adam and its learning
// rate. The batch is fixed and of uniform random pixels, as ../shared/peers/torch_peer.py uses:
//
//   keras_basic   keras-basic   784-32 ReLU code, sigmoid output, BCE, batch 256
//   keras_deep    keras-deep    784-128-64-32 ReLU (the code too), mirrored, batch 256
//   hinton_relu   hinton-relu   784-1000-500-250-30 ReLU, linear code, batch 128
//   vae           pytorch-vae   784-400-20 ReLU, Bernoulli decoder, BCE + KL, batch 128
//
// (The peer's keras_deep has a linear code: its mlp() puts no activation after a stack's last
// layer. One ReLU on 32 numbers per image is no measurable part of a step.)
// Counters: samples_per_second, and GFLOPS, the matrix-multiply work of a step (forward,
// grad of the weights, grad of the inputs but the first layer's) per second.
//
//   OPENBLAS_NUM_THREADS=1 build/release/bench/bench_train --benchmark_min_time=2
// bench/compare runs it against PyTorch in one run.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autoencoders/config.hpp"
#include "nn/optimizers.hpp"
#include "tensor/all.hpp"

using namespace xtgrad;

namespace {

// Multiply-add work of one training step: 2 N in out per product, three products per layer
// (forward, weight gradient, input gradient), minus the first layer's input gradient.
double step_flops(const std::vector<std::pair<std::int64_t, std::int64_t>>& layers,
                  std::int64_t batch) {
  double flops = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const double one = 2.0 * static_cast<double>(batch * layers[i].first * layers[i].second);
    flops += i == 0 ? 2 * one : 3 * one;
  }
  return flops;
}

// The mirrored layers of sizes, down and back up, as (in, out) pairs.
std::vector<std::pair<std::int64_t, std::int64_t>> mirrored(
    const std::vector<std::int64_t>& sizes) {
  std::vector<std::pair<std::int64_t, std::int64_t>> layers;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) layers.emplace_back(sizes[i], sizes[i + 1]);
  for (std::size_t i = sizes.size() - 1; i > 0; --i) layers.emplace_back(sizes[i], sizes[i - 1]);
  return layers;
}

// Multiply-add work of one step of a model whose weights are the 2-d parameters, (out, in),
// the first of them applied to the input.
double step_flops(const std::vector<Variable>& parameters, std::int64_t batch) {
  std::vector<std::pair<std::int64_t, std::int64_t>> layers;
  for (const Variable& p : parameters) {
    if (p.data().dim() == 2) layers.emplace_back(p.data().shape()[1], p.data().shape()[0]);
  }
  return step_flops(layers, batch);
}

void BM_TrainStep(benchmark::State& state, const std::string& config_name) {
  const ae::RunConfig config = ae::load_config(config_name);
  if (config.train.optimizer != "adam") {
    state.SkipWithError(("bench_train: " + config_name + " trains with " + config.train.optimizer +
                         ", and this benchmark steps Adam")
                            .c_str());
    return;
  }
  Generator gen(0);
  const std::shared_ptr<ae::Autoencoder> model = ae::make_model(config, gen);
  const std::int64_t batch = config.train.batch_size;
  const nn::Batch data{rand({batch, config.input_size}, gen), Tensor(), {}};
  nn::Adam optimizer(model->parameters(), config.train.lr);
  auto step = [&] {
    optimizer.zero_grad();
    Variable loss = model->loss(data);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
  for (int warm = 0; warm < 5; ++warm) step();  // as the peer: Adam's state allocated, caches warm
  for (auto _ : state) benchmark::DoNotOptimize(step());
  state.counters["samples_per_second"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOPS"] = benchmark::Counter(step_flops(model->parameters(), batch) / 1e9,
                                                benchmark::Counter::kIsIterationInvariantRate);
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
    ops.push_back({rand({batch, in}, gen), rand({in, out}, gen), rand({out, batch}, gen),
                   rand({batch, out}, gen), rand({out, in}, gen), i != 0});
  }
  for (auto _ : state) {
    for (const Operands& o : ops) {
      benchmark::DoNotOptimize(matmul(o.x, o.w_t).data<float>());                  // (N, out)
      benchmark::DoNotOptimize(matmul(o.g_t, o.x).data<float>());                  // (out, in)
      if (o.input_grad) benchmark::DoNotOptimize(matmul(o.g, o.w).data<float>());  // (N, in)
    }
  }
  state.counters["samples_per_second"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOPS"] = benchmark::Counter(step_flops(layers, batch) / 1e9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(BM_GemmOnly_hinton_relu)
    ->Name("BM_GemmOnly/hinton_relu")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TrainStep, keras_basic, "keras-basic")
    ->Name("BM_TrainStep/keras_basic")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TrainStep, keras_deep, "keras-deep")
    ->Name("BM_TrainStep/keras_deep")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TrainStep, hinton_relu, "hinton-relu")
    ->Name("BM_TrainStep/hinton_relu")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TrainStep, vae, "pytorch-vae")
    ->Name("BM_TrainStep/vae")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
