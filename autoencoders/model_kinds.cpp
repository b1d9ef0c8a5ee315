// The table of model kinds (model_kinds.hpp). A new model in this tree: its files, its kind
// file in kinds/, and one line here.
#include "autoencoders/model_kinds.hpp"

#include <algorithm>

namespace xtgrad::ae {

// The built-in kinds, each in kinds/<name>.cpp.
ModelKind basic_kind();
ModelKind deep_kind();
ModelKind sparse_kind();
ModelKind denoising_kind();
ModelKind vae_kind();

namespace {

// [book:table]
std::vector<ModelKind>& table() {
  static std::vector<ModelKind> kinds{
      basic_kind(),      // one layer down to a code and back up
      deep_kind(),       // a stack of them (basic is its one-layer case)
      sparse_kind(),     // + a penalty on the code
      denoising_kind(),  // + a corruption of the input, around any model
      vae_kind(),        // + a Gaussian head and a KL term
  };
  return kinds;
}
// [/book:table]

// A configuration's top-level keys other than the kinds' sections (config.cpp reads them).
const std::vector<std::string> kTopLevelKeys{"name", "description", "model", "init", "train"};

}  // namespace

const std::vector<ModelKind>& model_kinds() { return table(); }

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

void register_kind(ModelKind kind) {
  const std::string where = "register_kind " + quote(kind.name);
  const bool well_formed =
      !kind.name.empty() && kind.name.size() <= 32 &&
      std::all_of(kind.name.begin(), kind.name.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
      });
  if (!well_formed) {
    throw ValueError(where + ": a kind's name is 1 to 32 lowercase letters, digits and '-'");
  }
  const std::vector<std::string> names = model_names();
  if (std::count(names.begin(), names.end(), kind.name) > 0 ||
      std::count(kTopLevelKeys.begin(), kTopLevelKeys.end(), kind.name) > 0) {
    throw ValueError(where + ": the name is taken");
  }
  const std::pair<const char*, bool> required[] = {
      {"fields", bool(kind.fields)},     {"check", bool(kind.check)},
      {"widths", bool(kind.widths)},     {"parameters", bool(kind.parameters)},
      {"set_code", bool(kind.set_code)}, {"make_tiny", bool(kind.make_tiny)},
      {"build", bool(kind.build)},
  };
  for (const auto& [function, present] : required) {
    if (!present) throw ValueError(where + ": the kind has no " + function + " function");
  }
  if (kind.adds.empty())
    throw ValueError(where + ": say in `adds` what the kind adds (xtgrad --help shows it)");
  table().push_back(std::move(kind));
}

std::vector<std::string> used_sections(const RunConfig& config) {
  std::vector<std::string> sections{config.model};
  for (const ModelKind* kind = &model_kind(config.model); kind->wraps;) {
    kind = &model_kind(kind->wraps(config));
    if (std::count(sections.begin(), sections.end(), kind->name) > 0)
      break;  // (a kind cannot wrap itself)
    sections.push_back(kind->name);
  }
  return sections;
}

}  // namespace xtgrad::ae
