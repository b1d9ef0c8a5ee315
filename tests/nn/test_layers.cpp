// Every built-in layer passes check_layer; plus known values and shape errors.
#include "../tensor/helpers.hpp"
#include "nn/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// A classic bug of stateful layers: clearing its own gradient in forward, so that a second
// backward overwrites what the first one accumulated.
class ForgetfulScale : public nn::Module {
 public:
  ForgetfulScale() : w(register_parameter("w", full({1}, 2.0))) {}
  Variable forward(const Variable& x) override {
    w.zero_grad();
    return x * w;
  }
  std::string describe() const override { return "ForgetfulScale"; }
  Variable w;
};

// A trained Variable the constructor forgot to register_parameter.
class UnregisteredScale : public nn::Module {
 public:
  Variable forward(const Variable& x) override { return x * w; }
  std::string describe() const override { return "UnregisteredScale"; }
  Variable w{full({1}, 2.0), true};
};

// A constant tensor the constructor forgot to register_buffer: to() leaves it float32.
class UnregisteredConstant : public nn::Module {
 public:
  Variable forward(const Variable& x) override { return x * Variable(scale); }
  std::string describe() const override { return "UnregisteredConstant"; }
  Tensor scale = full({1}, 2.0);
};

// Dropout with its own generator, not registered: nothing can replay its masks.
class UnregisteredDropout : public nn::Module {
 public:
  Variable forward(const Variable& x) override {
    if (!is_training()) return x;
    return x * Variable(bernoulli(x.shape(), 0.5, gen, x.dtype()) * 2.0);
  }
  std::string describe() const override { return "UnregisteredDropout"; }
  Generator gen{4};
};

void check_failures(const nn::LayerCheckReport& r, const std::vector<std::string>& present,
                    const std::vector<std::string>& absent) {
  BOOST_TEST(!r.passed);
  for (const std::string& part : present) {
    BOOST_TEST(r.summary().find(part) != std::string::npos, r.summary() << " lacks " << part);
  }
  for (const std::string& part : absent) {
    BOOST_TEST(r.summary().find(part) == std::string::npos, r.summary() << " has " << part);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(layers)

BOOST_AUTO_TEST_CASE(every_builtin_layer_passes_check_layer) {
  Generator gen(3);
  const std::vector<std::pair<std::string, nn::LayerFactory>> factories = {
      {"Linear", [&] { return std::make_shared<nn::Linear>(3, 4, gen); }},
      {"Linear without bias", [&] { return std::make_shared<nn::Linear>(3, 2, gen, false); }},
      {"Identity", [] { return std::make_shared<nn::Identity>(); }},
      {"ReLU", [] { return std::make_shared<nn::ReLU>(); }},
      {"LeakyReLU", [] { return std::make_shared<nn::LeakyReLU>(0.1); }},
      {"ELU", [] { return std::make_shared<nn::ELU>(1.5); }},
      {"Sigmoid", [] { return std::make_shared<nn::Sigmoid>(); }},
      {"Tanh", [] { return std::make_shared<nn::Tanh>(); }},
      {"Softplus", [] { return std::make_shared<nn::Softplus>(); }},
      {"Softmax", [] { return std::make_shared<nn::Softmax>(); }},
      {"LogSoftmax", [] { return std::make_shared<nn::LogSoftmax>(); }},
      {"Dropout", [] { return std::make_shared<nn::Dropout>(0.3, 7); }},
      {"Sequential",
       [&] {
         return std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
             std::make_shared<nn::Linear>(3, 5, gen), std::make_shared<nn::Tanh>(),
             std::make_shared<nn::Dropout>(0.2, 1), std::make_shared<nn::Linear>(5, 2, gen)});
       }},
      // A TiedLinear owns only its bias: the Linear it is tied to is registered before it, as
      // in a deep autoencoder with tied weights (its weight then gets both uses' gradients).
      {"TiedLinear after its Linear",
       [&] {
         auto linear = std::make_shared<nn::Linear>(3, 4, gen);
         return std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
             linear, std::make_shared<nn::Sigmoid>(), std::make_shared<nn::TiedLinear>(linear)});
       }},
  };
  for (const auto& [name, make] : factories) {
    BOOST_TEST_CONTEXT(name) {
      const nn::LayerCheckReport r = nn::check_layer(make, {4, 3});
      BOOST_TEST(r.passed, r.summary());
    }
  }
}

BOOST_AUTO_TEST_CASE(tied_linear_maps_back_with_the_transposed_weight) {
  Generator gen(5);
  auto linear = std::make_shared<nn::Linear>(3, 2, gen);  // W (2, 3)
  linear->weight.set_data(Tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3}));
  nn::TiedLinear back(linear);
  BOOST_TEST(back.describe() == "TiedLinear(2 -> 3)");
  check_tensor(back.bias.data(), {3}, {0, 0, 0}, 0);  // the bias starts at zero
  back.bias.set_data(Tensor(std::vector<float>{0.5, 0, -1}, {3}));
  // x W + c: (1, 2) @ (2, 3) + (3,)
  const Variable y = back(Variable(Tensor(std::vector<float>{1, -1}, {1, 2})));
  check_tensor(y.data(), {1, 3}, {-2.5, -3, -4}, 0);
  // Only the bias is its own; the weight is the Linear's, registered where the Linear is.
  BOOST_TEST_REQUIRE(back.named_parameters().size() == 1u);
  BOOST_TEST(back.named_parameters()[0].first == "bias");
  check_throws<ShapeError>(
      [&] {
        back(Variable(zeros({1, 3})));
      },
      {"TiedLinear(2 -> 3)", "(N, 2)", "(1, 3)"});
  check_throws<ValueError>([] { nn::TiedLinear none(nullptr); }, {"TiedLinear", "Linear"});
  // Alone, the layer trains a weight it did not register: check_layer says so.
  const nn::LayerCheckReport alone =
      nn::check_layer([&] { return std::make_shared<nn::TiedLinear>(linear); }, {4, 2});
  check_failures(alone, {"not a registered parameter"}, {});
}

BOOST_AUTO_TEST_CASE(activations_by_name) {
  for (const std::string& name : {"identity", "relu", "sigmoid", "tanh", "leaky_relu", "elu"}) {
    BOOST_TEST(nn::activation_name(nn::parse_activation(name)) == name);
  }
  BOOST_TEST(nn::activation_name(nn::parse_activation("linear")) == "identity");
  BOOST_TEST(nn::activation_name(nn::parse_activation("logistic")) == "sigmoid");
  check_throws<ValueError>(
      [] { nn::parse_activation("swish"); },
      {"activation: unknown name \"swish\"", "identity, relu, sigmoid, tanh, leaky_relu, elu"});
  // The factory makes the layer of each name.
  const std::vector<std::pair<nn::Activation, std::string>> layers = {
      {nn::Activation::identity, "Identity"},
      {nn::Activation::relu, "ReLU"},
      {nn::Activation::sigmoid, "Sigmoid"},
      {nn::Activation::tanh, "Tanh"},
      {nn::Activation::leaky_relu, "LeakyReLU(0.01)"},
      {nn::Activation::elu, "ELU(1)"}};
  for (const auto& [a, described] : layers)
    BOOST_TEST(nn::make_activation(a)->describe() == described);
}

BOOST_AUTO_TEST_CASE(check_layer_catches_an_overwriting_backward) {
  const nn::LayerCheckReport r =
      nn::check_layer([] { return std::make_shared<ForgetfulScale>(); }, {3, 1});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.summary().find("accumulation") != std::string::npos, r.summary());
}

BOOST_AUTO_TEST_CASE(check_layer_names_an_unregistered_parameter) {
  const nn::LayerCheckReport r =
      nn::check_layer([] { return std::make_shared<UnregisteredScale>(); }, {3, 1});
  check_failures(r,
                 {"registration", "shape (1,)", "not a registered parameter", "register_parameter"},
                 {"dtypes differ"});
}

BOOST_AUTO_TEST_CASE(check_layer_names_an_unregistered_tensor) {
  const nn::LayerCheckReport r =
      nn::check_layer([] { return std::make_shared<UnregisteredConstant>(); }, {3, 1});
  check_failures(r, {"dtype: after to(DType::float64)", "register_buffer"}, {});
}

BOOST_AUTO_TEST_CASE(check_layer_names_an_unregistered_generator) {
  const nn::LayerCheckReport r =
      nn::check_layer([] { return std::make_shared<UnregisteredDropout>(); }, {4, 3});
  check_failures(r, {"random draws", "register_generator"}, {"overwritten", "gradcheck"});
}

BOOST_AUTO_TEST_CASE(linear_known_values_and_layout) {
  Generator gen(0);
  nn::Linear fc(2, 3, gen);
  BOOST_TEST(shape_str(fc.weight.shape()) == "(3, 2)");  // (out, in), as PyTorch
  Tensor w = fc.weight.data();
  w.copy_(tensor({{1, 2}, {3, 4}, {5, 6}}));
  Tensor b = fc.bias.data();
  b.copy_(tensor({0.5, -0.5, 0}));
  check_tensor(fc(Variable(tensor({{1, 1}, {0, 2}}))).data(), {2, 3}, {3.5, 6.5, 11, 4.5, 7.5, 12});
  check_throws<ShapeError>(
      [&] {
        fc(Variable(ones({2, 3})));
      },
      {"Linear(2 -> 3)", "(N, 2)", "(2, 3)"});
  check_throws<ValueError>([&] { nn::Linear(0, 3, gen); }, {"Linear", "positive"});
}

BOOST_AUTO_TEST_CASE(linear_default_init_is_pytorch_uniform) {
  Generator gen(5);
  nn::Linear fc(400, 300, gen);
  const double bound = 1.0 / 20.0;  // 1 / sqrt(400)
  BOOST_TEST(max(fc.weight.data()).item() <= bound);
  BOOST_TEST(min(fc.weight.data()).item() >= -bound);
  BOOST_TEST(std::abs(var(fc.weight.data().flatten(), {0}).item() - bound * bound / 3) < 2e-5);
}

BOOST_AUTO_TEST_CASE(activation_known_values) {
  Variable x(tensor({-2, -0.5, 0, 1.5}));
  check_tensor(nn::leaky_relu(x, 0.1).data(), {4}, {-0.2, -0.05, 0, 1.5});
  check_tensor(nn::elu(x, 1.0).data(), {4}, {std::exp(-2.0) - 1, std::exp(-0.5) - 1, 0, 1.5}, 1e-6);
  Variable big(tensor({1000.0}, DType::float64), true);
  sum(nn::elu(big)).backward();
  check_tensor(big.grad().data(), {1}, {1});  // no 0 * inf = nan from the unused branch
}

BOOST_AUTO_TEST_CASE(dropout_scales_and_turns_off_in_eval) {
  nn::Dropout drop(0.25, 3);
  Variable x(ones({200, 50}));
  const Tensor y = drop(x).data();
  const double kept = mean((y > 0.0).to(DType::float32)).item();
  BOOST_TEST(std::abs(kept - 0.75) < 0.01);
  BOOST_TEST(std::abs(max(y).item() - 1 / 0.75) < 1e-6);  // survivors scaled by 1 / (1 - p)
  BOOST_TEST(std::abs(mean(y).item() - 1.0) < 0.02);      // expectation preserved
  drop.eval();
  BOOST_TEST(allclose(drop(x).data(), x.data(), 0, 0));
  check_throws<ValueError>([] { nn::Dropout(1.0); }, {"Dropout", "[0, 1)"});
}

BOOST_AUTO_TEST_SUITE_END()
