#pragma once
// The C++ half of the PyTorch conformance suite: each program of
// tests/autograd/conformance/make_conformance.py written again with xtgrad, under the same name.
// test_conformance.cpp runs them on the recorded inputs and compares with PyTorch's results.
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "autograd/all.hpp"

namespace xtgrad::conformance {

// The inputs of one run (float64 leaves), by their names in the data file.
class Inputs {
 public:
  explicit Inputs(std::map<std::string, Variable> variables) : variables_(std::move(variables)) {}
  // Throws std::out_of_range naming the input when the data file has no such input.
  const Variable& operator[](const std::string& name) const;

 private:
  std::map<std::string, Variable> variables_;
};

// The named results of a semantic program, compared with the recorded ones of the same names.
using Values = std::map<std::string, Variable>;

// Exactly one of op and semantic is set:
//  - an op returns y; the test then runs y.backward(), or y.backward(grad_output) with the
//    recorded grad_output when y has more than one element;
//  - a semantic program runs its own backward calls and returns the values it wants compared.
// Either way, the test then compares every input's grad() with PyTorch's .grad.
struct Program {
  std::string group;  // the Boost test suite: conformance/<group>/<name>
  std::string name;
  std::function<Variable(const Inputs&)> op;
  std::function<Values(const Inputs&)> semantic;
};

// Every program, in the order of make_conformance.py (the order the groups are registered in).
const std::vector<Program>& programs();

// --- for the files that write the programs -----------------------------------------------------

using In = const Inputs&;

// Collects the programs; each group's function sets the group its programs belong to.
struct Registry {
  std::string group;
  std::vector<Program> programs;

  void op(std::string name, std::function<Variable(In)> program) {
    programs.push_back({group, std::move(name), std::move(program), {}});
  }
  void semantic(std::string name, std::function<Values(In)> program) {
    programs.push_back({group, std::move(name), {}, std::move(program)});
  }
};

// The groups written in conformance_programs_semantics.cpp and conformance_programs_images.cpp
// (the others are in conformance_programs.cpp, which registers them all).
void semantics(Registry& r);
void higher_order(Registry& r);
void images(Registry& r);

}  // namespace xtgrad::conformance
