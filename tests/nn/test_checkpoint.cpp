// Checkpoints: a model's state, and its optimizer's, saved to and loaded from an .npz archive
// (the archives themselves are tested in test_npz.cpp).
#include "../support/bombs.hpp"
#include "../support/files.hpp"
#include "helpers.hpp"
#include "nn/checkpoint.hpp"
#include "nn/losses.hpp"
#include "nn/optimizers.hpp"
#include "tensor/io.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// A stand-in optimizer with state of two kinds: a step count and one slot per parameter.
// step() changes both, so a test can tell a loaded state from a fresh one.
class Counting : public nn::Optimizer {
 public:
  explicit Counting(std::vector<Variable> parameters) : Optimizer(std::move(parameters), 0.1) {
    for (const Variable& p : parameters_) total_.push_back(zeros(p.shape(), DType::float64));
  }
  void step() override {
    steps_ += 1;
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      total_[i] = total_[i] + parameters_[i].data().to(DType::float64);
    }
  }
  std::string name() const override { return "Counting"; }
  nn::StateDict state_dict() const override {
    nn::StateDict state{{"step", Tensor(std::vector<std::int64_t>{steps_}, {})}};
    for (std::size_t i = 0; i < total_.size(); ++i) {
      state.emplace_back(std::to_string(i) + ".total", total_[i]);
    }
    return state;
  }
  void load_state_dict(const nn::StateDict& state) override {
    steps_ = nn::find(state, "step")->to_vector<std::int64_t>()[0];
    for (std::size_t i = 0; i < total_.size(); ++i) {
      total_[i] = *nn::find(state, std::to_string(i) + ".total");
    }
  }
  std::int64_t steps_ = 0;
  std::vector<Tensor> total_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint)

BOOST_AUTO_TEST_CASE(checkpoint_restores_a_model_exactly) {
  TempDir dir;
  const std::string path = dir.file("mlp.npz");
  auto trained = mlp({4, 8, 3}, 1);
  nn::save_checkpoint(path, *trained);
  // PyTorch's names, so the file loads into torch.nn.Sequential(Linear(4, 8), Linear(8, 3)).
  BOOST_TEST(keys(nn::load_npz(path)) ==
             (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias"}));

  auto fresh = mlp({4, 8, 3}, 2);  // other random values
  BOOST_TEST(!allclose(fresh->state_dict()[0].second, trained->state_dict()[0].second));
  nn::load_checkpoint(path, *fresh);
  check_identical(fresh->state_dict(), trained->state_dict());
  const Variable x(Tensor(std::vector<float>{1, -2, 0.5f, 3, 0, 1, -1, 2}, {2, 4}));
  check_identical(fresh->forward(x).data(), trained->forward(x).data());
}

BOOST_AUTO_TEST_CASE(checkpoint_load_errors_name_the_keys_and_shapes) {
  TempDir dir;
  const std::string path = dir.file("mlp.npz");
  nn::save_checkpoint(path, *mlp({4, 3, 2}, 1));

  auto shorter = mlp({4, 3}, 2);
  const nn::StateDict before = shorter->state_dict();
  check_throws<ValueError>([&] { nn::load_checkpoint(path, *shorter); },
                           {"load_checkpoint", path, "unexpected keys: 1.weight, 1.bias"});
  check_throws<ValueError>(
      [&] {
        nn::load_checkpoint(path, *mlp({4, 3, 2, 1}, 2));
      },
      {"load_checkpoint", path, "missing keys: 2.weight, 2.bias"});
  check_throws<ShapeError>(
      [&] {
        nn::load_checkpoint(path, *mlp({4, 5, 2}, 2));
      },
      {"load_checkpoint", path, "shape mismatch", "0.weight (checkpoint (3, 4), model (5, 4))",
       "1.weight (checkpoint (2, 3), model (2, 5))"});
  // A failed load changes nothing.
  check_identical(shorter->state_dict(), before);
  // But a file that is not a checkpoint at all is a FileError, named by load_npz.
  check_throws<FileError>([&] { nn::load_checkpoint(dir.file("none.npz"), *shorter); },
                          {"load_npz", dir.file("none.npz"), "No such file"});
}

BOOST_AUTO_TEST_CASE(checkpoint_arrays_must_have_the_models_dtypes) {
  TempDir dir;
  const std::string path = dir.file("mlp.npz");
  auto model = mlp({4, 3}, 1);  // float32
  nn::StateDict wider;
  for (const auto& [name, tensor] : model->state_dict())
    wider.emplace_back(name, tensor.to(DType::float64));
  nn::save_npz(path, wider);
  check_throws<ShapeError>(
      [&] { nn::load_checkpoint(path, *model); },
      {"load_checkpoint", path, "dtype mismatch for 0.weight (checkpoint float64, model float32)",
       "dtype mismatch for 0.bias"});
}

// A checkpoint whose "optimizer/" or "fit/" members claim 256 MiB, in a 300 KB file: the
// optimizer's own bound (Adam: two slots per parameter) and the model's size (fit/ holds at
// most a copy of the weights beside 64 MiB of history) refuse them before they are inflated;
// without an optimizer, its members are skipped, never inflated.
BOOST_AUTO_TEST_CASE(checkpoint_optimizer_and_fit_entries_are_bounded_before_they_are_inflated) {
  TempDir dir;
  auto model = mlp({3, 2}, 1);
  nn::Adam adam(model->parameters(), 0.01);
  std::vector<ZipMember> members;
  for (const auto& [name, tensor] : model->state_dict())
    members.push_back({name + ".npy", to_npy_bytes(tensor)});
  members.push_back({"optimizer/lr.npy", to_npy_bytes(Tensor(std::vector<double>{0.01}, {}))});
  std::vector<ZipMember> with_fit = members;
  members.push_back(
      {"optimizer/0.exp_avg.npy", npy_header("<f4", "(67108864,)"), std::uint64_t{256} << 20});
  with_fit.push_back(
      {"fit/history.npy", npy_header("<f8", "(5592405, 6)"), std::uint64_t{5592405} * 6 * 8});

  const std::string optimizer_bomb = dir.file("optimizer.npz"), fit_bomb = dir.file("fit.npz");
  write_bytes(optimizer_bomb, zip_archive(members));
  write_bytes(fit_bomb, zip_archive(with_fit));
  check_refused_cheaply([&] {
    check_throws<FileError>(
        [&] { nn::load_checkpoint(optimizer_bomb, *model, &adam); },
        {"load_npz", optimizer_bomb,
         "\"optimizer/0.exp_avg.npy\" (a (67108864,) float32 array of 268435456 bytes)",
         "takes the arrays under \"optimizer/\" beyond the"});
  });
  check_refused_cheaply([&] { nn::load_checkpoint(optimizer_bomb, *model); });  // the model alone
  check_refused_cheaply([&] {
    check_throws<FileError>([&] { nn::load_checkpoint(fit_bomb, *model); },
                            {"load_npz", fit_bomb, "\"fit/history.npy\"", "under \"fit/\""});
  });
}

BOOST_AUTO_TEST_CASE(checkpoint_saves_the_optimizer_state_under_its_own_prefix) {
  TempDir dir;
  const std::string path = dir.file("run.npz");
  auto model = mlp({3, 2}, 1);
  Counting optimizer(model->parameters());
  optimizer.step();
  optimizer.step();
  nn::save_checkpoint(path, *model, &optimizer);
  BOOST_TEST(keys(nn::load_npz(path)) ==
             (std::vector<std::string>{"0.weight", "0.bias", "optimizer/lr", "optimizer/step",
                                       "optimizer/0.total", "optimizer/1.total"}));

  auto resumed = mlp({3, 2}, 2);
  Counting resumed_optimizer(resumed->parameters());
  nn::load_checkpoint(path, *resumed, &resumed_optimizer);
  check_identical(resumed->state_dict(), model->state_dict());
  check_identical(resumed_optimizer.state_dict(), optimizer.state_dict());
  BOOST_TEST(resumed_optimizer.steps_ == 2);

  // Without an optimizer, its state is ignored: the model alone loads.
  auto model_only = mlp({3, 2}, 3);
  nn::load_checkpoint(path, *model_only);
  check_identical(model_only->state_dict(), model->state_dict());

  // A file saved without an optimizer cannot restore one, even one that keeps no state.
  const std::string bare = dir.file("bare.npz");
  nn::save_checkpoint(bare, *model);
  check_throws<ValueError>(
      [&] { nn::load_checkpoint(bare, *resumed, &resumed_optimizer); },
      {"load_checkpoint", bare, "saved without an optimizer", "\"optimizer/lr\"", "Counting"});
  nn::SGD sgd(resumed->parameters(), 0.1);
  check_throws<ValueError>([&] { nn::load_checkpoint(bare, *resumed, &sgd); },
                           {"saved without an optimizer", "SGD"});
  // Plain SGD keeps no state but its learning rate, which a schedule may have changed.
  sgd.set_learning_rate(0.025);
  nn::save_checkpoint(bare, *model, &sgd);
  BOOST_TEST(keys(nn::load_npz(bare)) ==
             (std::vector<std::string>{"0.weight", "0.bias", "optimizer/lr"}));
  nn::SGD fresh(resumed->parameters(), 0.1);
  nn::load_checkpoint(bare, *resumed, &fresh);
  BOOST_TEST(fresh.learning_rate() == 0.025);
}

BOOST_AUTO_TEST_CASE(checkpoint_resumes_training_where_it_stopped) {
  const Variable x(
      Tensor(std::vector<float>{1, -2, 0.5f, 3, 0, 1, -1, 2, 0.25f, 2, -1, 0}, {4, 3}));
  const Variable y(Tensor(std::vector<float>{1, 0, 0, 1, 1, 1, 0, 0}, {4, 2}));
  auto train = [&](nn::Module& model, nn::Optimizer& optimizer, int steps) {
    for (int i = 0; i < steps; ++i) {
      optimizer.zero_grad();
      nn::mse_loss(model.forward(x), y).backward();
      optimizer.step();
    }
  };
  TempDir dir;
  const std::string path = dir.file("run.npz");
  auto model = mlp({3, 2}, 1);
  nn::Adam adam(model->parameters(), 0.01);
  train(*model, adam, 3);
  nn::save_checkpoint(path, *model, &adam);
  train(*model, adam, 3);  // 6 steps in one go

  auto resumed = mlp({3, 2}, 2);
  nn::Adam resumed_adam(resumed->parameters(), 0.01);
  nn::load_checkpoint(path, *resumed, &resumed_adam);
  train(*resumed, resumed_adam, 3);  // 3 steps, a checkpoint, 3 more
  check_identical(resumed->state_dict(), model->state_dict());

  // Adam's moments and step count are part of the run: a fresh Adam takes other steps.
  auto restarted = mlp({3, 2}, 2);
  nn::Adam fresh_adam(restarted->parameters(), 0.01);
  nn::load_checkpoint(path, *restarted);
  train(*restarted, fresh_adam, 3);
  BOOST_TEST(!allclose(restarted->state_dict()[0].second, model->state_dict()[0].second, 0, 1e-6));
}

BOOST_AUTO_TEST_SUITE_END()
