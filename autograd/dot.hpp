#pragma once
// The recorded graph as Graphviz DOT text: render it with `dot -Tpng graph.dot -o graph.png`.
//
// Boxes are ops (name, output shape and dtype, and the tensors saved for backward with their
// bytes); ellipses are leaves that require gradients (name and shape). Arrows follow the
// data, from inputs to the op that used them. The title gives the total saved bytes: the
// memory a backward pass keeps alive.
#include <string>
#include <vector>

#include "autograd/variable.hpp"

namespace xtgrad {

std::string to_dot(const std::vector<Variable>& outputs);

}  // namespace xtgrad
