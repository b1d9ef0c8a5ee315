#pragma once
// Helpers shared by the nn tests, next to those of tests/tensor/helpers.hpp: state dicts
// compared key by key and byte by byte, and a small MLP with PyTorch's parameter names.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../tensor/helpers.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/sequential.hpp"

namespace xtgrad::testing {

// The names of a state dict's entries, in order.
inline std::vector<std::string> keys(const nn::StateDict& state) {
  std::vector<std::string> out;
  for (const auto& [key, tensor] : state) out.push_back(key);
  return out;
}

// The same names in the same order, and every tensor identical to the byte.
inline void check_identical(const nn::StateDict& got, const nn::StateDict& want) {
  BOOST_TEST_REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST_CONTEXT(want[i].first) {
      BOOST_TEST(got[i].first == want[i].first);
      check_identical(got[i].second, want[i].second);
    }
  }
}

// An MLP like the ones the tutorials train: Linear layers in a Sequential, so the parameters
// are named as in torch.nn.Sequential: "0.weight", "0.bias", "1.weight", ...
inline std::shared_ptr<nn::Sequential> mlp(const std::vector<std::int64_t>& sizes,
                                           std::uint64_t seed) {
  Generator gen(seed);
  auto model = std::make_shared<nn::Sequential>();
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    model->add(std::make_shared<nn::Linear>(sizes[i], sizes[i + 1], gen));
  }
  return model;
}

}  // namespace xtgrad::testing
