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
#include <string>

#include "nn/module.hpp"
#include "nn/optimizer.hpp"

namespace xtgrad::nn {

// Each entry becomes "<name>.npy" in the archive. FileError names the path and the problem.
void save_npz(const std::string& path, const StateDict& tensors);
// Members in archive order, without the ".npy" suffix.
StateDict load_npz(const std::string& path);

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
