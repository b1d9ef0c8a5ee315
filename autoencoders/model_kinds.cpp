// The table of model kinds (model_kinds.hpp). A new model: its file, and one line here.
#include "autoencoders/model_kinds.hpp"

#include "autoencoders/basic.hpp"
#include "autoencoders/deep.hpp"
#include "autoencoders/denoising.hpp"
#include "autoencoders/sparse.hpp"
#include "autoencoders/variational.hpp"

namespace xtgrad::ae {

// [book:table]
const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds{
      basic_kind(),      // one layer down to a code and back up
      deep_kind(),       // a stack of them (basic is its one-layer case)
      sparse_kind(),     // + a penalty on the code
      denoising_kind(),  // + a corruption of the input, around any model
      vae_kind(),        // + a Gaussian head and a KL term
  };
  return kinds;
}
// [/book:table]

const ModelKind& model_kind(const std::string& name) {
  for (const ModelKind& kind : model_kinds()) {
    if (kind.name == name) return kind;
  }
  std::string names;
  for (const ModelKind& kind : model_kinds()) names += (names.empty() ? "" : ", ") + kind.name;
  throw ValueError("unknown model " + quote(name) + " (" + names + ")");
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const ModelKind& kind : model_kinds()) names.push_back(kind.name);
  return names;
}

}  // namespace xtgrad::ae
