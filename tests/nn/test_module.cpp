// Module: registration, dotted names, modes, dtype conversion, state dicts, summary.
#include "helpers.hpp"
#include "nn/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

class TwoLayer : public nn::Module {
 public:
  explicit TwoLayer(Generator& gen)
      : fc1(register_module("fc1", std::make_shared<nn::Linear>(4, 3, gen))),
        act(register_module("act", std::make_shared<nn::Dropout>(0.5, 1))),
        fc2(register_module("fc2", std::make_shared<nn::Linear>(3, 2, gen))),
        scale(register_parameter("scale", ones({2}))),
        count(register_buffer("count", zeros({}, DType::int64))) {}
  Variable forward(const Variable& x) override { return (*fc2)((*act)((*fc1)(x))) * scale; }
  std::string describe() const override { return "TwoLayer"; }
  std::shared_ptr<nn::Linear> fc1;
  std::shared_ptr<nn::Dropout> act;
  std::shared_ptr<nn::Linear> fc2;
  Variable scale, count;
};

}  // namespace

// The example at the top of nn/module.hpp, verbatim, so that it is known to compile and work.
namespace module_hpp_example {

using namespace xtgrad;

class TwoLayer : public nn::Module {
 public:
  explicit TwoLayer(Generator& gen)
      : fc1(register_module("fc1", std::make_shared<nn::Linear>(784, 64, gen))),
        fc2(register_module("fc2", std::make_shared<nn::Linear>(64, 10, gen))) {}
  Variable forward(const Variable& x) override { return (*fc2)(relu((*fc1)(x))); }
  std::string describe() const override { return "TwoLayer"; }
  std::shared_ptr<nn::Linear> fc1, fc2;
};

}  // namespace module_hpp_example

BOOST_AUTO_TEST_SUITE(module)

BOOST_AUTO_TEST_CASE(header_example_works) {
  Generator gen(0);
  module_hpp_example::TwoLayer model(gen);
  std::vector<std::string> names;
  for (const auto& [name, p] : model.named_parameters()) names.push_back(name);
  BOOST_TEST(names ==
             (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}));
  const std::string s = model.summary({784}, 32);
  for (const char* part :
       {"fc1: Linear(784 -> 64)", "(32, 64)", "fc2: Linear(64 -> 10)", "(32, 10)"}) {
    BOOST_TEST(s.find(part) != std::string::npos, "summary lacks " << part << ":\n" << s);
  }
}

BOOST_AUTO_TEST_CASE(summary_of_a_huge_batch_allocates_no_batch) {
  // A forward pass on (10^9, 784) float32 zeros would need 2.9 GiB for the input alone.
  Generator gen(0);
  module_hpp_example::TwoLayer model(gen);
  const std::string s = model.summary({784}, 1000000000);
  for (const char* part : {"(1000000000, 64)", "(1000000000, 10)"}) {
    BOOST_TEST(s.find(part) != std::string::npos, "summary lacks " << part << ":\n" << s);
  }
}

BOOST_AUTO_TEST_CASE(named_parameters_are_dotted_and_ordered) {
  Generator gen(0);
  TwoLayer m(gen);
  std::vector<std::string> names;
  for (const auto& [name, p] : m.named_parameters()) names.push_back(name);
  BOOST_TEST(names == (std::vector<std::string>{"scale", "fc1.weight", "fc1.bias", "fc2.weight",
                                                "fc2.bias"}));
  BOOST_TEST(m.parameter_count() == 2 + 12 + 3 + 6 + 2);
  BOOST_TEST(m.parameters().size() == 5u);
  BOOST_TEST(m.named_buffers().size() == 1u);
  BOOST_TEST(m.generators().size() == 1u);  // the dropout's
  for (const Variable& p : m.parameters()) BOOST_TEST(p.requires_grad());
}

BOOST_AUTO_TEST_CASE(registration_errors) {
  class Bad : public nn::Module {
   public:
    Bad() {
      register_parameter("w", ones({1}));
      check_throws<ValueError>([&] { register_parameter("w", ones({1})); },
                               {"w", "already registered"});
      check_throws<ValueError>([&] { register_buffer("a.b", ones({1})); }, {"a.b", "'.'"});
    }
    Variable forward(const Variable& x) override { return x; }
    std::string describe() const override { return "Bad"; }
  };
  Bad bad;
  BOOST_TEST(bad.parameters().size() == 1u);
}

BOOST_AUTO_TEST_CASE(train_and_eval_reach_children) {
  Generator gen(0);
  TwoLayer m(gen);
  m.eval();
  BOOST_TEST(!m.is_training());
  BOOST_TEST(!m.act->is_training());
  Variable x(ones({5, 4}));
  BOOST_TEST(allclose(m(x).data(), m(x).data(), 0, 0));  // dropout off: deterministic
  m.train();
  BOOST_TEST(m.fc1->is_training());
}

BOOST_AUTO_TEST_CASE(zero_grad_clears_every_parameter) {
  Generator gen(0);
  TwoLayer m(gen);
  sum(m(Variable(ones({2, 4})))).backward();
  for (const Variable& p : m.parameters()) BOOST_TEST(p.grad().defined());
  m.zero_grad();
  for (const Variable& p : m.parameters()) BOOST_TEST(!p.grad().defined());
}

BOOST_AUTO_TEST_CASE(to_converts_parameters_and_float_buffers) {
  Generator gen(0);
  TwoLayer m(gen);
  const Tensor w32 = m.fc1->weight.data();
  m.to(DType::float64);
  BOOST_TEST(m.fc1->weight.dtype() == DType::float64);  // the layer's own handle sees it
  BOOST_TEST(m.scale.dtype() == DType::float64);
  BOOST_TEST(m.count.dtype() == DType::int64);  // integer buffers stay
  BOOST_TEST(allclose(m.fc1->weight.data(), w32.to(DType::float64), 0, 0));
  BOOST_TEST(m(Variable(ones({2, 4}, DType::float64))).dtype() == DType::float64);
  check_throws<DTypeError>([&] { m.to(DType::int64); }, {"to", "int64"});
}

BOOST_AUTO_TEST_CASE(state_dict_round_trip) {
  Generator a_gen(1), b_gen(2);
  TwoLayer a(a_gen), b(b_gen);
  const nn::StateDict state = a.state_dict();
  BOOST_TEST(keys(state) == (std::vector<std::string>{"scale", "count", "fc1.weight", "fc1.bias",
                                                      "fc2.weight", "fc2.bias"}));
  BOOST_TEST(state[2].second.shares_storage(a.fc1->weight.data()));
  b.load_state_dict(state);
  for (std::size_t i = 0; i < state.size(); ++i) {
    BOOST_TEST(allclose(b.state_dict()[i].second.to(DType::float64),
                        state[i].second.to(DType::float64), 0, 0));
  }
}

BOOST_AUTO_TEST_CASE(load_state_dict_names_every_problem) {
  Generator gen(0);
  TwoLayer m(gen);
  nn::StateDict state = m.state_dict();
  state.erase(state.begin() + 3);               // drop fc1.bias
  state.emplace_back("fc3.weight", ones({1}));  // unknown
  check_throws<ValueError>([&] { m.load_state_dict(state); },
                           {"missing keys: fc1.bias", "unexpected keys: fc3.weight"});
  m.load_state_dict(state, /*strict=*/false);  // what matches is loaded
  state = m.state_dict();
  state[2].second = ones({3, 5});
  check_throws<ShapeError>([&] { m.load_state_dict(state); },
                           {"fc1.weight", "checkpoint (3, 5)", "model (3, 4)"});
  // A shape mismatch does not hide the missing and unexpected keys: one ShapeError names all.
  state.erase(state.begin() + 3);               // drop fc1.bias
  state.emplace_back("fc3.weight", ones({1}));  // unknown
  check_throws<ShapeError>([&] { m.load_state_dict(state); },
                           {"shape mismatch for fc1.weight (checkpoint (3, 5), model (3, 4))",
                            "missing keys: fc1.bias", "unexpected keys: fc3.weight"});
  // Without strict, missing and unexpected keys are fine, but a shape mismatch is not.
  const Tensor scale = m.scale.data().clone();
  state[0].second = full({2}, 7.0);  // scale
  check_throws<ShapeError>([&] { m.load_state_dict(state, /*strict=*/false); },
                           {"fc1.weight", "checkpoint (3, 5)", "model (3, 4)"});
  BOOST_TEST(allclose(m.scale.data(), scale, 0, 0));  // nothing was loaded
}

BOOST_AUTO_TEST_CASE(summary_table) {
  Generator gen(0);
  TwoLayer m(gen);
  const std::string s = m.summary({4}, 32);
  BOOST_TEST_MESSAGE(s);
  for (const char* part :
       {"fc1: Linear(4 -> 3)", "(32, 3)", "act: Dropout(0.5)", "fc2: Linear(3 -> 2)", "(32, 2)",
        "Total parameters: 25", "activations", "optimizer state"}) {
    BOOST_TEST(s.find(part) != std::string::npos, "summary lacks " << part << ":\n" << s);
  }
  // activations: 32 x (3 + 3 + 2) floats = 1 KiB; parameters 25 floats = 100 B; Adam 2 x 100 B
  BOOST_TEST(s.find("activations      1.00 KiB") != std::string::npos, s);
  BOOST_TEST(s.find("optimizer state  0.20 KiB (2 per parameter)") != std::string::npos, s);
}

// summary() runs a forward pass; it must not advance the dropout masks of a training run.
BOOST_AUTO_TEST_CASE(summary_leaves_generators_and_mode_alone) {
  Generator gen(0);
  TwoLayer m(gen);
  const Generator::State before = m.generators().at(0)->state();
  m.summary({4}, 32);
  BOOST_TEST((m.generators().at(0)->state() == before));
  BOOST_TEST(m.is_training());
  BOOST_TEST(m.act->is_training());

  // Also when the forward pass throws after a dropout has drawn its mask.
  nn::Sequential seq;
  seq.add(std::make_shared<nn::Dropout>(0.5, 3)).add(std::make_shared<nn::Linear>(4, 3, gen));
  const Generator::State seq_before = seq.generators().at(0)->state();
  check_throws<ShapeError>([&] { seq.summary({5}, 2); }, {"(1, 5)"});
  BOOST_TEST((seq.generators().at(0)->state() == seq_before));
  const std::string s = seq.summary({4}, 2);  // the failed summary left nothing behind
  BOOST_TEST(s.find("0: Dropout(0.5)") != std::string::npos, s);
  BOOST_TEST(s.find("1: Linear(4 -> 3)") != std::string::npos, s);
}

BOOST_AUTO_TEST_SUITE_END()
