// Chapter 4: a new layer, checked with nn::check_layer. This folder is a project of its own
// that uses an installed xtgrad (see CMakeLists.txt); the book's build also compiles it as
// the program ch04_tied_layer.
//
// check_layer makes fresh instances, converts them to float64 and checks: that forward
// trains only registered parameters, gradcheck of the input and every parameter, that
// gradients accumulate over two backward passes, evaluation mode, the state_dict round trip
// and float32 in, float32 out. A layer that forgets register_parameter is shown failing.
//
//   tied_layer [--short] [--out DIR]
#include <cstdio>
#include <cstring>
#include <memory>

#include <autograd/all.hpp>
#include <nn/check_layer.hpp>

#include "tied_autoencoder.hpp"

using namespace xtgrad;

namespace {

// [book:forgotten]
// y = x s with a learnable scale s (D,), which this layer forgets to register: an optimizer
// given parameters() would never update it, and a checkpoint would not contain it.
class ForgottenScale : public nn::Module {
 public:
  explicit ForgottenScale(std::int64_t features)
      : scale(ones({features}), /*requires_grad=*/true) {}
  Variable forward(const Variable& x) override { return x * scale; }
  std::string describe() const override { return "ForgottenScale"; }
  Variable scale;  // should be register_parameter("scale", ones({features}))
};
// [/book:forgotten]

}  // namespace

int main(int argc, char** argv) {
  // The book's options, accepted and unused: it takes a second and writes no file.
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      ++i;
    } else if (std::strcmp(argv[i], "--short") != 0) {
      std::fprintf(stderr, "tied_layer: bad argument '%s' (options: --short, --out DIR)\n",
                   argv[i]);
      return 2;
    }
  }
  Generator gen(0);
  book::TiedAutoencoder layer(784, 32, gen);
  std::printf("%s\n", layer.describe().c_str());
  for (const auto& [name, p] : layer.named_parameters()) {
    std::printf("  %-13s %s\n", name.c_str(), shape_str(p.shape()).c_str());
  }
  const std::int64_t untied = 2 * 784 * 32 + 32 + 784;
  std::printf("  %lld parameters (untied: %lld)\n\n",
              static_cast<long long>(layer.parameter_count()), static_cast<long long>(untied));

  // [book:check]
  // Small sizes: gradcheck perturbs every input and parameter element, one at a time.
  const nn::LayerCheckReport tied = nn::check_layer(
      [] {
        Generator g(1);
        return std::make_shared<book::TiedAutoencoder>(6, 3, g);
      },
      {4, 6}, /*seed=*/0, /*unit_interval=*/true);
  std::printf("TiedAutoencoder(6 -> 3 -> 6), input (4, 6):\n%s\n\n", tied.summary().c_str());

  const nn::LayerCheckReport forgotten =
      nn::check_layer([] { return std::make_shared<ForgottenScale>(6); }, {4, 6});
  std::printf("ForgottenScale(6), input (4, 6):\n%s\n", forgotten.summary().c_str());
  // [/book:check]

  std::printf("\nresult tied_parameters %lld\n", static_cast<long long>(layer.parameter_count()));
  std::printf("result untied_parameters %lld\n", static_cast<long long>(untied));
  std::printf("result tied_check_passed %d\n", tied.passed ? 1 : 0);
  std::printf("result forgotten_check_failures %zu\n", forgotten.failures.size());
  return tied.passed && !forgotten.passed ? 0 : 1;
}
