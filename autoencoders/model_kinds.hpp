#pragma once
// The kinds of model, in one table: the command (--model), the configurations (a section per
// kind), the experiment pipeline and gradcheck --model all read it, and nothing else names a
// kind. The models form a ladder, each step adding one thing to the step before:
//
//   basic       one layer down to a code and back up: the one-layer deep model   basic.hpp
//   deep        a stack of layers down to the code and back up                 deep.hpp
//   sparse      a model plus a penalty on its code (UFLDL's KL sparsity)       sparse.hpp
//   denoising   any model, shown a corrupted input and scored on the clean one  denoising.hpp
//   vae         the deep model with a Gaussian head and a KL term              variational.hpp
//
// A new model is one file (its class, its options struct, its ModelKind) and one entry in the
// table of model_kinds.cpp.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autoencoders/autoencoder.hpp"
#include "autoencoders/config.hpp"
#include "autoencoders/config_fields.hpp"

namespace xtgrad::ae {

struct ModelKind {
  std::string name;  // in configurations and on the command line
  std::string adds;  // what this step of the ladder adds, one line (xtgrad --help)

  // The kind's section of a configuration: its options struct's fields, read and written.
  std::function<void(ConfigFields&, RunConfig&)> fields;
  // The protocol's defaults that are not the kind's own options (sparse: UFLDL's init and
  // L-BFGS), set before a file's settings.
  std::function<void(RunConfig&)> defaults;
  // Throws ValueError, starting with `where`, for options out of range.
  std::function<void(const RunConfig&, const std::string& where)> check;
  // The layer widths, input first and code last, and the key that sets them ("deep.sizes"):
  // for the size checks, the parameter limit and the code size.
  std::function<std::pair<std::vector<std::int64_t>, std::string>(const RunConfig&)> widths;
  // How many parameters build makes, counted from the options without building anything (for
  // check_config's limit). In double: the product of two huge widths must not wrap around.
  std::function<double(const RunConfig&)> parameters;
  std::function<void(RunConfig&, std::int64_t code)> set_code;
  // A tiny instance for gradcheck --model: 6 inputs, a code of 3.
  std::function<void(RunConfig&)> make_tiny;
  // The model, its layers drawn from gen (make_model then applies config.init).
  std::function<std::shared_ptr<Autoencoder>(const RunConfig&, Generator&)> build;
};

// Every kind, in the order of the ladder above.
const std::vector<ModelKind>& model_kinds();
// The kind named `name`; ValueError listing the names for an unknown one.
const ModelKind& model_kind(const std::string& name);
std::vector<std::string> model_names();

}  // namespace xtgrad::ae
