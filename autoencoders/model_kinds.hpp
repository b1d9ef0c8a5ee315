#pragma once
// The kinds of model, in one table: the command (--model), the configurations (a section per
// kind), the experiment pipeline and gradcheck --model all read it, and nothing else names a
// kind. The built-in models form a ladder, each step adding one thing to the step before:
//
//   basic       one layer down to a code and back up: the one-layer deep model   deep.hpp
//   deep        a stack of layers down to the code and back up                 deep.hpp
//   sparse      a model plus a penalty on its code (UFLDL's KL sparsity)       sparse.hpp
//   denoising   any model, shown a corrupted input and scored on the clean one  denoising.hpp
//   vae         the deep model with a Gaussian head and a KL term              variational.hpp
//
// A model is plain math and knows nothing of configurations; its kind, in kinds/<name>.cpp,
// says how a configuration's section builds it. Adding a kind in this tree takes the model's
// files, its kind file, and two lines: its entry in model_kinds.cpp's table and its files in
// CMakeLists.txt. A project that links the installed library calls register_kind instead of
// editing the table, and gets the whole `xtgrad` command for its kind from xtgrad::cli::run
// (autoencoders/cli.hpp). Every test that goes through the kinds iterates the table.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autoencoders/autoencoder.hpp"
#include "autoencoders/config.hpp"
#include "autoencoders/config_fields.hpp"

namespace xtgrad::ae {

// A kind's layer widths, input first and code last, and the key that sets them ("deep.sizes").
struct KindWidths {
  std::vector<std::int64_t> sizes;
  std::string key;
};

struct ModelKind {
  std::string name;  // in configurations and on the command line: lowercase letters, digits, '-'
  std::string adds;  // what this step of the ladder adds, one line (xtgrad --help)

  // The kind's section of a configuration: its options struct's fields, read and written.
  std::function<void(ConfigFields&, RunConfig&)> fields;
  // Throws ValueError, starting with `where`, for options out of range.
  std::function<void(const RunConfig&, const std::string& where)> check;
  // The layer widths: for the size checks, the parameter limit and the code size.
  std::function<KindWidths(const RunConfig&)> widths;
  // How many parameters build makes, counted from the options without building anything (for
  // check_config's limit). In double: the product of two huge widths must not wrap around.
  std::function<double(const RunConfig&)> parameters;
  std::function<void(RunConfig&, std::int64_t code)> set_code;
  // A tiny instance for gradcheck --model: 6 inputs, a code of 3 or so.
  std::function<void(RunConfig&)> make_tiny;
  // The model, its layers drawn from gen (make_model then applies config.init).
  std::function<std::shared_ptr<Autoencoder>(const RunConfig&, Generator&)> build;

  // Optional:
  // The protocol's defaults that are not the kind's own options (sparse: UFLDL's init and
  // L-BFGS), set before a file's settings.
  std::function<void(RunConfig&)> defaults;
  // The kind whose model this one wraps and whose section it therefore reads too (denoising:
  // its section's "inner"); unset for a kind that wraps none.
  std::function<std::string(const RunConfig&)> wraps;
};

// Every kind: the ladder above, in its order, then the kinds added by register_kind.
const std::vector<ModelKind>& model_kinds();
// The kind named `name`; ValueError listing the names for an unknown one.
const ModelKind& model_kind(const std::string& name);
std::vector<std::string> model_names();

// Adds a kind after the built-in ones: a downstream project's own model. Call it first thing in
// main, before anything reads the table. ValueError for a name that is empty, longer than 32
// characters, not lowercase letters, digits and '-', or already taken ("train", "config" and
// the other top-level keys of a configuration are taken), and for a kind without one of the
// functions that are not optional.
void register_kind(ModelKind kind);

// The sections a configuration's run uses: its own kind's, then those of the kinds it wraps.
std::vector<std::string> used_sections(const RunConfig& config);

}  // namespace xtgrad::ae
