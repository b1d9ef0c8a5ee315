// Checkpoints: .npz archives (save_npz / load_npz) and model + optimizer state in them.
//
// The .npz fixtures in tests/data/npz were written by NumPy (tests/data/make_npz_fixtures.py):
// reading them proves that we read NumPy's archives. That NumPy and PyTorch read ours is
// checked by hand with tests/nn/conformance/check_npz_with_numpy.py.
#include <sys/resource.h>  // setrlimit: a file-size limit stands in for a full disk
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <limits>

#include "../tensor/helpers.hpp"
#include "nn/checkpoint.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "nn/optimizers.hpp"
#include "nn/sequential.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
  return std::string(XTGRAD_TEST_DATA_DIR) + "/" + name;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_TEST_REQUIRE(in.good(), "cannot open " << path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A fresh directory under the system's temp directory, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    static int count = 0;
    path = fs::temp_directory_path() /
           ("xtgrad_test_checkpoint_" + std::to_string(::getpid()) + "_" + std::to_string(count++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
};

// Limits the size of the files this process writes, while it lives: a full disk, simulated.
// SIGXFSZ is ignored, so a write past the limit fails with EFBIG instead of killing the process.
struct FileSizeLimit {
  rlimit saved{};
  void (*saved_handler)(int) = nullptr;
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved);
    saved_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, saved_handler);
  }
};

// Tensors equal in dtype, shape and every byte (NaN payloads included).
void check_identical(const Tensor& got, const Tensor& want) {
  BOOST_TEST(got.dtype() == want.dtype());
  BOOST_TEST(shape_str(got.shape()) == shape_str(want.shape()));
  BOOST_TEST((to_npy_bytes(got) == to_npy_bytes(want)), "the tensors' bytes differ");
}

void check_identical(const nn::StateDict& got, const nn::StateDict& want) {
  BOOST_TEST_REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST_CONTEXT(want[i].first) {
      BOOST_TEST(got[i].first == want[i].first);
      check_identical(got[i].second, want[i].second);
    }
  }
}

std::vector<std::string> keys(const nn::StateDict& state) {
  std::vector<std::string> out;
  for (const auto& [key, tensor] : state) out.push_back(key);
  return out;
}

// An MLP like the ones the tutorials train: Linear layers in a Sequential, so the parameters
// are named as in torch.nn.Sequential: "0.weight", "0.bias", "1.weight", ...
std::shared_ptr<nn::Sequential> mlp(const std::vector<std::int64_t>& sizes, std::uint64_t seed) {
  Generator gen(seed);
  auto model = std::make_shared<nn::Sequential>();
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    model->add(std::make_shared<nn::Linear>(sizes[i], sizes[i + 1], gen));
  }
  return model;
}

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

// --- .npz: round trips and NumPy's archives ---------------------------------------------------

BOOST_AUTO_TEST_CASE(npz_round_trip_keeps_names_order_dtypes_and_values) {
  const std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  const nn::StateDict state{
      {"0.weight", Tensor(std::vector<float>{0.1f, -2.5f, 3e38f, 1e-40f, 0, -0.0f}, {2, 3})},
      {"scale", Tensor(std::vector<double>{1.0 / 3}, {})},
      {"counts", Tensor(std::vector<std::int64_t>{lo, -1, 0, 9007199254740993, 5}, {5})},
      {"mask", Tensor(std::vector<std::int64_t>{1, 0, 0, 1}, {2, 2}).to(DType::boolean)},
      {"empty", Tensor(std::vector<float>{}, {0, 3})},
      {"optimizer/0.exp_avg", Tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2}).rows(1, 3)},
  };
  TempDir dir;
  const std::string path = dir.file("state.npz");
  nn::save_npz(path, state);
  check_identical(nn::load_npz(path), state);
  BOOST_TEST(read_bytes(path).substr(0, 4) == "PK\x03\x04");  // a zip archive's first member

  nn::save_npz(path, {});  // an empty archive, as numpy.savez() writes
  BOOST_TEST(read_bytes(path).size() == 22u);
  BOOST_TEST(nn::load_npz(path).empty());
  BOOST_TEST(dir.entries() == std::vector<std::string>{"state.npz"});  // no temporary files left
}

BOOST_AUTO_TEST_CASE(npz_reads_numpy_archives) {
  for (const char* name : {"npz/from_numpy.npz", "npz/from_numpy_compressed.npz"}) {
    BOOST_TEST_CONTEXT(name) {
      const nn::StateDict state = nn::load_npz(fixture(name));
      BOOST_TEST(keys(state) == (std::vector<std::string>{"0.weight", "0.bias", "encoder/scale",
                                                          "counts", "mask", "optimizer/step",
                                                          "empty"}));
      BOOST_TEST_REQUIRE(state.size() == 7u);
      BOOST_TEST(state[0].second.dtype() == DType::float32);
      check_tensor(state[0].second, {2, 3}, {0, 0.25, 0.5, 0.75, 1, 1.25}, 0);
      check_tensor(state[1].second, {2}, {-1.5, 2}, 0);
      const Tensor& scale = state[2].second;  // exact: the same doubles as Python's literals
      BOOST_TEST(scale.dtype() == DType::float64);
      BOOST_TEST(scale.to_vector<double>() == (std::vector<double>{0.1, 1.0 / 3, -2.5e-300}));
      const Tensor& counts = state[3].second;  // 2**53 + 1 would not survive a double
      BOOST_TEST(shape_str(counts.shape()) == "(2, 2)");
      BOOST_TEST(counts.to_vector<std::int64_t>() ==
                 (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(),
                                            9007199254740993, 0,
                                            std::numeric_limits<std::int64_t>::max()}));
      BOOST_TEST(state[4].second.dtype() == DType::boolean);
      check_tensor(state[4].second, {3}, {1, 0, 1}, 0);
      BOOST_TEST(state[5].second.dim() == 0);
      BOOST_TEST(state[5].second.item() == 7.0);
      check_tensor(state[6].second, {0, 4}, {});
    }
  }
}

BOOST_AUTO_TEST_CASE(npz_skips_members_that_are_not_npy) {
  // numpy.load returns such members as raw bytes; there is no tensor to make of them.
  const nn::StateDict state = nn::load_npz(fixture("npz/with_text_member.npz"));
  BOOST_TEST(keys(state) == std::vector<std::string>{"w"});
  check_tensor(state[0].second, {3}, {0, 1, 2}, 0);
}

// --- .npz: errors -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(npz_load_errors_name_the_path_and_the_problem) {
  TempDir dir;
  const std::string missing = dir.file("missing.npz");
  check_throws<FileError>([&] { nn::load_npz(missing); },
                          {"load_npz", missing, "cannot open", "No such file"});
  const std::string npy = fixture("npy/f4_2x3.npy");  // np.save's file, not np.savez's
  check_throws<FileError>([&] { nn::load_npz(npy); },
                          {"load_npz", npy, "Not a zip archive", "load_npy"});
  check_throws<FileError>([&] { nn::load_npz(dir.path.string()); },
                          {"load_npz", dir.path.string(), "is a directory"});

  const std::string duplicate = fixture("npz/duplicate_member.npz");
  check_throws<FileError>([&] { nn::load_npz(duplicate); },
                          {"load_npz", duplicate, "\"w.npy\" appears twice"});
  // from_npy_bytes names the archive and the member.
  const std::string bad = fixture("npz/bad_member.npz");
  check_throws<FileError>([&] { nn::load_npz(bad); },
                          {bad + ":bad.npy", "not an .npy file", "starts with \"hello\\x0a\""});
}

BOOST_AUTO_TEST_CASE(npz_corrupt_or_truncated_archives_are_named) {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  nn::save_npz(path, {{"w", Tensor(std::vector<double>{1, 2, 3, 4}, {4})}});
  const std::string good = read_bytes(path);

  // Cut short, as by a copy that stopped: the directory at the end of the archive is gone.
  for (std::size_t keep : {good.size() / 2, good.size() - 1, std::size_t{0}}) {
    BOOST_TEST_CONTEXT("first " << keep << " bytes") {
      write_bytes(path, good.substr(0, keep));
      check_throws<FileError>([&] { nn::load_npz(path); },
                              {"load_npz", path, "Not a zip archive", "cut short"});
    }
  }
  // One flipped bit in the member's data (after its 128-byte .npy header): the CRC-32 catches it.
  std::string flipped = good;
  const std::size_t data = good.find("\x93NUMPY") + 128;
  BOOST_TEST_REQUIRE(data < good.size());
  flipped[data + 3] ^= 0x10;
  write_bytes(path, flipped);
  check_throws<FileError>([&] { nn::load_npz(path); },
                          {"load_npz", path, "cannot read the member \"w.npy\"", "CRC error"});
}

// --- .npz: saving is all or nothing -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(npz_interrupted_save_keeps_the_old_file) {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  auto model = mlp({4, 3, 2}, 1);
  nn::save_checkpoint(path, *model);
  const std::string old_bytes = read_bytes(path);

  // The disk fills up while the temporary file is written: in the middle of a 400 KB member, or
  // at the end, when a small archive leaves stdio's buffer.
  for (std::int64_t n : {100000, 10}) {
    BOOST_TEST_CONTEXT(n << " floats") {
      check_throws<FileError>(
          [&] {
            FileSizeLimit limit(64);
            nn::save_npz(path, {{"w", zeros({n})}});
          },
          {"save_npz", path, "cannot write the temporary file", "File too large"});
      BOOST_TEST((read_bytes(path) == old_bytes), "the old checkpoint was changed");
      BOOST_TEST(dir.entries() == std::vector<std::string>{"model.npz"});  // temporary file gone
    }
  }
  check_throws<ValueError>([&] { nn::save_npz(path, {{"w", zeros({2})}, {"b", Tensor()}}); },
                           {"save_npz", path, "the tensor \"b\" is undefined"});
  BOOST_TEST((read_bytes(path) == old_bytes), "the old checkpoint was changed");
  nn::load_checkpoint(path, *model);  // still a good checkpoint

  // A directory in the way: the temporary file is written, the rename fails.
  fs::create_directory(dir.path / "a_dir.npz");
  check_throws<FileError>([&] { nn::save_checkpoint(dir.file("a_dir.npz"), *model); },
                          {"save_npz", dir.file("a_dir.npz"), "cannot rename"});
  BOOST_TEST(dir.entries() == (std::vector<std::string>{"a_dir.npz", "model.npz"}));

  const std::string in_missing_dir = dir.file("no_such_dir/model.npz");
  check_throws<FileError>([&] { nn::save_checkpoint(in_missing_dir, *model); },
                          {"save_npz", in_missing_dir, "temporary file", "No such file"});
  BOOST_TEST(dir.entries() == (std::vector<std::string>{"a_dir.npz", "model.npz"}));
}

// --- checkpoints: a model and its optimizer ---------------------------------------------------

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
  check_throws<ValueError>([&] { nn::load_checkpoint(path, *mlp({4, 3, 2, 1}, 2)); },
                           {"load_checkpoint", path, "missing keys: 2.weight, 2.bias"});
  check_throws<ShapeError>([&] { nn::load_checkpoint(path, *mlp({4, 5, 2}, 2)); },
                           {"load_checkpoint", path, "shape mismatch",
                            "0.weight (checkpoint (3, 4), model (5, 4))",
                            "1.weight (checkpoint (2, 3), model (2, 5))"});
  // A failed load changes nothing.
  check_identical(shorter->state_dict(), before);
  // But a file that is not a checkpoint at all is a FileError, named by load_npz.
  check_throws<FileError>([&] { nn::load_checkpoint(dir.file("none.npz"), *shorter); },
                          {"load_npz", dir.file("none.npz"), "No such file"});
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
             (std::vector<std::string>{"0.weight", "0.bias", "optimizer/step",
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

  // A file saved without an optimizer cannot restore one.
  const std::string bare = dir.file("bare.npz");
  nn::save_checkpoint(bare, *model);
  check_throws<ValueError>([&] { nn::load_checkpoint(bare, *resumed, &resumed_optimizer); },
                           {"load_checkpoint", bare, "no optimizer state", "\"optimizer/...\"",
                            "for Counting"});
  // Unless the optimizer keeps no state: plain SGD saves no keys, and there is nothing to load.
  nn::SGD sgd(resumed->parameters(), 0.1);
  nn::save_checkpoint(bare, *model, &sgd);
  BOOST_TEST(keys(nn::load_npz(bare)) == (std::vector<std::string>{"0.weight", "0.bias"}));
  nn::load_checkpoint(bare, *resumed, &sgd);
}

BOOST_AUTO_TEST_CASE(checkpoint_resumes_training_where_it_stopped) {
  const Variable x(Tensor(std::vector<float>{1, -2, 0.5f, 3, 0, 1, -1, 2, 0.25f, 2, -1, 0}, {4, 3}));
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
