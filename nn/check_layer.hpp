#pragma once
// check_layer: one call that tests a layer the way its users rely on it (after dlib's
// test_layer). For people who write new layers; every built-in layer passes it.
//
//   LayerCheckReport r = nn::check_layer([&] { return std::make_shared<MyLayer>(gen); }, {4, 3});
//   if (!r.passed) std::cout << r.summary();
//
// It makes fresh instances with `make` and checks the following; 5 and the registration part
// of 0 run first, on the float32 instance, and an unregistered Variable ends the check there
// (the rest would test a layer that cannot be trained); the others run in float64:
//  0. every Variable that forward trains is a registered parameter, every tensor reaches
//     float64 with to(), and two training-mode passes agree once the registered generators
//     are restored (else the layer draws from one it did not register);
//  1. gradcheck of a random weighted sum of the outputs with respect to the input and every
//     parameter (in training mode, the layer's generators replayed);
//  2. backward adds to existing gradients: two backward passes give twice the gradient;
//  3. evaluation mode is deterministic (two forwards agree) and reaches every child;
//  4. state_dict round trip: a second instance loaded from the first computes the same outputs;
//  5. the float32 instance accepts float32 input and returns float32.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nn/module.hpp"

namespace xtgrad::nn {

struct LayerCheckReport {
  bool passed = true;
  std::vector<std::string> failures;  // one sentence per failed check
  std::string summary() const;
};

using LayerFactory = std::function<std::shared_ptr<Module>()>;

// input_shape includes the batch axis, e.g. {4, 3}. Inputs are uniform in [-1, 1]
// (or [0.05, 0.95] with unit_interval, for layers that take probabilities).
LayerCheckReport check_layer(const LayerFactory& make, const Shape& input_shape,
                             std::uint64_t seed = 0, bool unit_interval = false);

}  // namespace xtgrad::nn
