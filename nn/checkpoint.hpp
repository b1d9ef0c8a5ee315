#pragma once
// Checkpoints as .npz files: a zip archive of .npy members, exactly what numpy.savez writes,
// so `numpy.load("model.npz")` reads them. Writes go to a temporary file that is then
// renamed, so an interrupted save never leaves a half-written checkpoint.
//
// Loading a model checkpoint into the equivalent PyTorch module (documented in the README):
//   import numpy as np, torch
//   state = {k: torch.from_numpy(v) for k, v in np.load("model.npz").items()
//            if not k.startswith(("optimizer/", "fit/"))}
//   torch_model.load_state_dict(state)
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.hpp"
#include "nn/optimizer.hpp"

namespace xtgrad::nn {

// Members that are not arrays: a name (not ending in .npy) and its bytes, e.g. a JSON text.
// numpy.load("f.npz")["config.json"] returns them as bytes.
using RawMembers = std::vector<std::pair<std::string, std::string>>;

// Each entry becomes "<name>.npy" in the archive, followed by the raw members. Every member
// is dated 1980-01-01, so the same contents give the same bytes. FileError names the path
// and the problem.
void save_npz(const std::string& path, const StateDict& tensors, const RawMembers& raw = {});
// The .npy members in archive order, without the ".npy" suffix (raw members are skipped).
StateDict load_npz(const std::string& path);
// The bytes of the raw member `name`, or nullopt when the archive has none.
std::optional<std::string> load_npz_raw_member(const std::string& path, const std::string& name);

// The model's state dict, plus, when an optimizer is given, its learning rate as
// "optimizer/lr" and its state under "optimizer/<name>", plus `training` under "fit/<name>"
// (where a fit() stands, so that it can be resumed).
void save_checkpoint(const std::string& path, const Module& model, const Optimizer* optimizer = nullptr,
                     const StateDict& training = {});
// Loads the model state (strict: missing, unexpected and mismatched keys are all named), and
// when an optimizer is given its state and learning rate (ValueError if the file was saved
// without an optimizer). Returns the "fit/" entries, without the prefix (empty if none).
StateDict load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer = nullptr);

}  // namespace xtgrad::nn
