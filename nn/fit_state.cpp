// FitState <-> the "fit/" entries of a checkpoint (see fit_state.hpp).
#include "nn/fit_state.hpp"

#include <cstring>

#include "tensor/creation.hpp"

namespace xtgrad::nn::detail {

namespace {

constexpr std::int64_t kRecordFields = 6;  // the EpochRecord fields, in declaration order
const std::string kBest = "best/";

Tensor int64_scalar(std::int64_t value) {
  return full({}, static_cast<double>(value), DType::int64);
}
Tensor float64_scalar(double value) { return full({}, value, DType::float64); }

// The four 64-bit words of a generator's state as int64 (same bits: npy has no uint64 here).
Tensor state_tensor(const Generator::State& state) {
  Tensor t = zeros({4}, DType::int64);
  std::memcpy(t.data<std::int64_t>(), state.data(), sizeof(state));
  return t;
}

class Reader {
 public:
  Reader(const StateDict& entries, const std::string& path) : entries_(entries), path_(path) {}

  const Tensor& get(const std::string& name, const Shape& shape, DType dtype) const {
    const Tensor* t = find(entries_, name);
    if (t == nullptr) fail("has no \"fit/" + name + "\"");
    if (t->shape() != shape || t->dtype() != dtype)
      fail("\"fit/" + name + "\" has the wrong shape or dtype");
    return *t;
  }
  std::int64_t integer(const std::string& name) const {
    return get(name, {}, DType::int64).data<std::int64_t>()[0];
  }
  double real(const std::string& name) const { return get(name, {}, DType::float64).item(); }
  Generator::State state(const std::string& name) const {
    Generator::State s{};
    std::memcpy(s.data(), get(name, {4}, DType::int64).data<std::int64_t>(), sizeof(s));
    return s;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ValueError("fit: cannot resume from " + path_ + ": it " + what +
                     " (was it written by fit() with checkpoint_path?)");
  }

 private:
  const StateDict& entries_;
  const std::string& path_;
};

}  // namespace

StateDict to_state_dict(const FitState& s) {
  StateDict d;
  d.emplace_back("epoch", int64_scalar(s.epoch));
  d.emplace_back("step", int64_scalar(s.step));
  d.emplace_back("steps", int64_scalar(s.steps));
  d.emplace_back("loss_sum", float64_scalar(s.loss_sum));
  d.emplace_back("samples", int64_scalar(s.samples));
  d.emplace_back("order_generator", state_tensor(s.order));
  d.emplace_back("generators", int64_scalar(static_cast<std::int64_t>(s.generators.size())));
  for (std::size_t i = 0; i < s.generators.size(); ++i) {
    d.emplace_back("generator/" + std::to_string(i), state_tensor(s.generators[i]));
  }
  Tensor history =
      zeros({static_cast<std::int64_t>(s.history.size()), kRecordFields}, DType::float64);
  double* h = history.data<double>();
  for (const EpochRecord& r : s.history) {
    for (double v : {static_cast<double>(r.epoch), r.train_loss, r.val_loss, r.learning_rate,
                     r.seconds, r.samples_per_second}) {
      *h++ = v;
    }
  }
  d.emplace_back("history", history);
  d.emplace_back("best_epoch", int64_scalar(s.best_epoch));
  d.emplace_back("best_loss", float64_scalar(s.best_loss));
  d.emplace_back("epochs_without_improvement", int64_scalar(s.epochs_without_improvement));
  for (const auto& [name, tensor] : s.best_weights) d.emplace_back(kBest + name, tensor);
  d.emplace_back("scheduler_epoch", int64_scalar(s.scheduler_epoch));
  return d;
}

FitState from_state_dict(const StateDict& entries, const std::string& path) {
  const Reader in(entries, path);
  FitState s;
  s.epoch = static_cast<int>(in.integer("epoch"));
  s.step = in.integer("step");
  s.steps = in.integer("steps");
  s.loss_sum = in.real("loss_sum");
  s.samples = in.integer("samples");
  s.order = in.state("order_generator");
  const std::int64_t generators = in.integer("generators");
  for (std::int64_t i = 0; i < generators; ++i)
    s.generators.push_back(in.state("generator/" + std::to_string(i)));
  const Tensor* history = find(entries, "history");
  if (history == nullptr || history->dim() != 2 || history->size(1) != kRecordFields ||
      history->dtype() != DType::float64) {
    in.fail("has no (epochs, 6) float64 \"fit/history\"");
  }
  const double* h = history->data<double>();
  for (std::int64_t i = 0; i < history->size(0); ++i, h += kRecordFields) {
    s.history.push_back({static_cast<int>(h[0]), h[1], h[2], h[3], h[4], h[5]});
  }
  s.best_epoch = static_cast<int>(in.integer("best_epoch"));
  s.best_loss = in.real("best_loss");
  s.epochs_without_improvement = static_cast<int>(in.integer("epochs_without_improvement"));
  for (const auto& [name, tensor] : entries) {
    if (name.rfind(kBest, 0) == 0) s.best_weights.emplace_back(name.substr(kBest.size()), tensor);
  }
  s.scheduler_epoch = in.integer("scheduler_epoch");
  if (s.epoch < 1 || s.step < 0 || s.step > s.steps) in.fail("holds an impossible position");
  return s;
}

}  // namespace xtgrad::nn::detail
