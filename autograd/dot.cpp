// Graphviz export of the recorded graph (see dot.hpp).
#include "autograd/dot.hpp"

#include <sstream>
#include <unordered_map>

#include "autograd/node.hpp"

namespace xtgrad {

namespace {

std::string bytes_str(std::int64_t bytes) {
  std::ostringstream s;
  if (bytes >= (1 << 20)) {
    s.precision(3);
    s << static_cast<double>(bytes) / (1 << 20) << " MiB";
  } else if (bytes >= 1024) {
    s.precision(3);
    s << static_cast<double>(bytes) / 1024 << " KiB";
  } else {
    s << bytes << " B";
  }
  return s.str();
}

// Escapes a name for a double-quoted DOT label (the \\n separators are added after).
std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

struct DotWriter {
  std::ostringstream body;
  std::unordered_map<const void*, std::string> ids;  // node or leaf -> DOT id
  std::int64_t saved_bytes = 0;

  // Returns the id of a node, writing it (and everything behind it) the first time.
  std::string visit_node(Node* root) {
    std::vector<Node*> stack{root};
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      if (ids.count(n)) continue;
      const std::string id = "op" + std::to_string(ids.size());
      ids[n] = id;
      std::string label = escape(n->name()) + "\\n" + shape_str(n->output_shape) + " " +
                          dtype_name(n->output_dtype);
      for (const auto& [shape, bytes] : n->context().saved_shapes_and_bytes()) {
        label += "\\nsaved " + shape_str(shape) + " " + bytes_str(bytes);
        saved_bytes += bytes;
      }
      if (n->context().released()) label += "\\n(saved tensors freed)";
      body << "  " << id << " [shape=box, label=\"" << label << "\"];\n";
      for (const Edge& e : n->next_edges) {
        if (e.node) {
          stack.push_back(e.node.get());
          edges.emplace_back(e.node.get(), n);
        } else if (e.leaf) {
          edges.emplace_back(leaf_id(*e.leaf), n);
        }
      }
    }
    return ids[root];
  }

  const void* leaf_id(const VariableImpl& leaf) {
    if (!ids.count(&leaf)) {
      const std::string id = "leaf" + std::to_string(ids.size());
      ids[&leaf] = id;
      const std::string label = (leaf.name.empty() ? std::string("leaf") : escape(leaf.name)) +
                                "\\n" + shape_str(leaf.data.shape()) + " " +
                                dtype_name(leaf.data.dtype());
      body << "  " << id << " [shape=ellipse, label=\"" << label << "\"];\n";
    }
    return &leaf;
  }

  std::vector<std::pair<const void*, const void*>> edges;  // from -> to
};

}  // namespace

std::string to_dot(const std::vector<Variable>& outputs) {
  DotWriter w;
  for (const Variable& y : outputs) {
    if (y.grad_fn()) {
      w.visit_node(y.grad_fn().get());
    } else if (y.requires_grad()) {
      w.leaf_id(*y.impl());
    }
  }
  std::ostringstream out;
  out << "digraph xtgrad {\n  rankdir=LR;\n  label=\"saved for backward: "
      << bytes_str(w.saved_bytes) << "\";\n"
      << w.body.str();
  for (const auto& [from, to] : w.edges) {
    out << "  " << w.ids[from] << " -> " << w.ids[to] << ";\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace xtgrad
