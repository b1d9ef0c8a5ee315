// The PyTorch conformance suite: each program of conformance_programs.cpp runs on the inputs
// recorded in tests/fixtures/autograd_conformance.json (written by
// tests/autograd/conformance/make_conformance.py) and must give PyTorch's outputs and gradients,
// in float64, to 1e-10. Each program is its own test case, in a suite per group:
//
//   test_autograd --run_test=conformance/reductions/max_ties
//
// A program recorded without a C++ version, or the reverse, fails data_matches_registry.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/json_data.hpp"
#include "../tensor/helpers.hpp"
#include "conformance_programs.hpp"

namespace xtgrad::conformance {
namespace {

using nlohmann::json;
using testing::json_to_tensor;

// |xtgrad - PyTorch| <= tolerance * (1 + |PyTorch|)
constexpr double tolerance = 1e-10;
// Differing elements reported one by one per value; the rest are counted.
constexpr int reported_elements = 3;

const json& data() {
  static const json document = testing::read_json_data(
      "autograd_conformance.json", "tests/autograd/conformance/make_conformance.py");
  return document;
}

// The recorded entry of the program called `name`, or null.
const json* find_entry(const std::string& name) {
  for (const json& entry : data().at("programs")) {
    if (entry.at("name") == name) return &entry;
  }
  return nullptr;
}

// Compares one xtgrad value with PyTorch's recorded one (null: PyTorch has None, so xtgrad
// must have no value either). `what` names the value in messages: "output y", "grad of w".
void check_value(const std::string& what, const Variable& got, const json& want) {
  if (want.is_null()) {
    if (got.defined()) {
      BOOST_ERROR(what << ": PyTorch has None, xtgrad has a value of shape "
                       << shape_str(got.shape()));
    }
    return;
  }
  if (!got.defined()) {
    BOOST_ERROR(what << ": undefined in xtgrad, PyTorch has a value");
    return;
  }
  const Tensor expected = json_to_tensor(want);
  BOOST_TEST(got.dtype() == DType::float64, what << ": xtgrad's dtype is " << got.dtype());
  if (got.shape() != expected.shape()) {
    BOOST_ERROR(what << ": xtgrad's shape is " << shape_str(got.shape()) << ", PyTorch's is "
                     << shape_str(expected.shape()));
    return;
  }
  const std::vector<double> g = got.data().to_vector<double>();
  const std::vector<double> w = expected.to_vector<double>();
  int differing = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (std::abs(g[i] - w[i]) <= tolerance * (1 + std::abs(w[i]))) continue;  // NaN fails
    if (++differing <= reported_elements) {
      BOOST_ERROR(what << ", element " << i << " of " << shape_str(got.shape())
                       << std::setprecision(17) << ": xtgrad " << g[i] << ", PyTorch " << w[i]);
    }
  }
  if (differing > reported_elements) {
    BOOST_ERROR(what << ": " << differing << " of " << g.size() << " elements differ");
  }
}

// Runs `program` on its recorded inputs and compares everything that was recorded.
void run(const Program& program) {
  const json* entry = find_entry(program.name);
  BOOST_TEST_REQUIRE(entry != nullptr, "'" << program.name
                                           << "' is not in the data file: add "
                                              "it to make_conformance.py and rerun the script");
  BOOST_TEST_CONTEXT("conformance program '" << program.name << "'") {
    std::map<std::string, Variable> leaves;
    for (const json& input : entry->at("inputs")) {
      leaves.emplace(input.at("name").get<std::string>(),
                     Variable(json_to_tensor(input), input.at("requires_grad").get<bool>()));
    }
    const Inputs inputs(leaves);
    const json& outputs = entry->at("outputs");
    if (program.op) {
      BOOST_TEST_REQUIRE(entry->at("kind") == "op", "recorded as a semantic program");
      const Variable y = program.op(inputs);
      check_value("output y", y, outputs.at("y"));
      const json& grad_output = entry->at("grad_output");
      y.backward(grad_output.is_null() ? Variable() : Variable(json_to_tensor(grad_output)));
    } else {
      BOOST_TEST_REQUIRE(entry->at("kind") == "semantic", "recorded as an op program");
      const Values values = program.semantic(inputs);
      for (const auto& [name, want] : outputs.items()) {
        const auto it = values.find(name);
        if (it == values.end()) {
          BOOST_ERROR("PyTorch's program returns '" << name << "', the C++ program does not");
        } else {
          check_value("output " + name, it->second, want);
        }
      }
      for (const auto& [name, value] : values) {
        BOOST_TEST(outputs.contains(name),
                   "the C++ program returns '" << name << "', PyTorch's program does not");
      }
    }
    for (const auto& [name, want] : entry->at("grads").items()) {
      check_value("grad of " + name, leaves.at(name).grad(), want);
    }
    // After backward(create_graph), a leaf's grad() refers to a graph that refers back to the
    // leaf (as in PyTorch): clearing the gradients breaks that cycle.
    for (auto& [name, leaf] : leaves) leaf.zero_grad();
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conformance)

// The two lists of programs, PyTorch's and xtgrad's, cannot drift apart.
BOOST_AUTO_TEST_CASE(data_matches_registry) {
  std::map<std::string, const Program*> registered;
  for (const Program& program : programs()) {
    BOOST_TEST(registered.emplace(program.name, &program).second,
               "program '" << program.name << "' is registered twice");
  }
  std::set<std::string> recorded;
  for (const json& entry : data().at("programs")) {
    const std::string name = entry.at("name").get<std::string>();
    recorded.insert(name);
    const auto it = registered.find(name);
    if (it == registered.end()) {
      BOOST_ERROR("'" << name
                      << "' is in the data file but has no C++ program in "
                         "conformance_programs.cpp");
      continue;
    }
    BOOST_TEST(entry.at("group").get<std::string>() == it->second->group,
               "'" << name << "' is in group " << it->second->group << " in C++, "
                   << entry.at("group") << " in the data file");
    BOOST_TEST(entry.at("kind").get<std::string>() == (it->second->op ? "op" : "semantic"),
               "'" << name << "' is of another kind in C++ than in the data file");
  }
  for (const auto& [name, program] : registered) {
    BOOST_TEST(recorded.count(name) == 1,
               "'" << name
                   << "' has a C++ program but is not in the data file: add it to "
                      "make_conformance.py and rerun the script");
  }
  BOOST_TEST(recorded.size() == data().at("programs").size(), "duplicate names in the data file");
}

// Comparisons and argmax give booleans and integers: never differentiable, even from inputs
// that require gradients (PyTorch's (x > 0).requires_grad is False too). xtgrad-only: the data
// file holds no such results.
BOOST_AUTO_TEST_CASE(integer_and_boolean_results_have_no_gradient) {
  const Variable x(tensor({{1.0, -2.0, 3.0}, {0.5, 4.0, -1.0}}, DType::float64), true);
  const std::vector<Variable> results = {x > 0.0, x<0.0, x> x * 2.0, x < exp(x), argmax(x, 1),
                                         argmax(x, 0, true)};
  for (const Variable& result : results) {
    BOOST_TEST((result.dtype() == DType::boolean || result.dtype() == DType::int64));
    BOOST_TEST(!result.requires_grad());
    BOOST_TEST(result.is_leaf());
  }
  Variable mask = x > 0.0;
  testing::check_throws<DTypeError>([&] { mask.set_requires_grad(true); }, {"bool"});
}

// One test case per program, named after it, in a suite per group. Registered while the test
// tree is built (static initialisation), as BOOST_AUTO_TEST_CASE does.
const struct RegisterPrograms {
  RegisterPrograms() {
    namespace utf = boost::unit_test;
    std::map<std::string, utf::test_suite*> suites;
    for (const Program& program : programs()) {
      utf::test_suite*& suite = suites[program.group];
      if (suite == nullptr) {
        suite = BOOST_TEST_SUITE(program.group);
        utf::framework::current_auto_test_suite().add(suite);
      }
      suite->add(
          utf::make_test_case([&program] { run(program); }, program.name, __FILE__, __LINE__));
    }
  }
} register_programs;

BOOST_AUTO_TEST_SUITE_END()

}  // namespace xtgrad::conformance
