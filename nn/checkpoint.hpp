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
#include <cstdint>
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

// What load_npz may read. Everything is decided from the archive's directory and from each
// .npy member's header (read alone, at most npy_max_header_bytes inflated) before any data is
// inflated, so that an archive claiming more than this allows is refused in a millisecond and
// under a megabyte, however far its members would expand.
struct NpzExpectation {
  // Arrays that must all be there, with exactly these shapes and dtypes (the values are not
  // used): e.g. a model's state_dict().
  StateDict arrays;
  // Arrays under these prefixes are skipped: neither refused nor inflated.
  std::vector<std::string> skipped;
  // Any other array counts against the first budget whose prefix its name has ("optimizer/";
  // "" matches every name): the arrays of a budget hold at most that many data bytes
  // (numel * itemsize) in all.
  std::vector<std::pair<std::string, std::uint64_t>> budgets;
};

// What load_npz(path) reads without an expectation: 1 GiB of array data in all.
inline constexpr std::uint64_t npz_max_bytes = std::uint64_t{1} << 30;
// The largest raw member load_npz_raw_member reads: 1 MiB (a config.json is about 1 KB).
inline constexpr std::uint64_t npz_max_raw_member_bytes = std::uint64_t{1} << 20;

// The .npy members in archive order, without the ".npy" suffix (raw members are skipped).
// Before any data is inflated, every member's listed size must be its .npy header plus the
// data that the header describes, and every array must be expected:
//   - a name of `expected.arrays` with another shape or dtype: ShapeError listing them all,
//     each with both shapes ("shape mismatch for 0.bias (checkpoint (8,), model (1000,))");
//   - an array that is not expected, or an expected one that is absent: ValueError listing
//     them ("unexpected keys: ...", "missing keys: ..."), as Module::load_state_dict does;
//   - a budget overrun: FileError naming the member that overruns it.
// A name appearing twice (any member, array or raw) is a FileError naming it, and so is
// any other problem with the file.
StateDict load_npz(const std::string& path, const NpzExpectation& expected);
// Any arrays, at most npz_max_bytes of data in all.
StateDict load_npz(const std::string& path);
// The bytes of the raw member `name`, or nullopt when the archive has none. A member listed
// larger than npz_max_raw_member_bytes is refused before it is inflated.
std::optional<std::string> load_npz_raw_member(const std::string& path, const std::string& name);

// The model's state dict, plus, when an optimizer is given, its learning rate as
// "optimizer/lr" and its state under "optimizer/<name>", plus `training` under "fit/<name>"
// (where a fit() stands, so that it can be resumed).
void save_checkpoint(const std::string& path, const Module& model,
                     const Optimizer* optimizer = nullptr, const StateDict& training = {});
// Loads the model state (strict: missing, unexpected and mismatched keys are all named), and
// when an optimizer is given its state and learning rate (ValueError if the file was saved
// without an optimizer). Returns the "fit/" entries, without the prefix (empty if none).
// What it reads is bounded before anything is inflated (load_npz with an NpzExpectation):
//   model arrays   exactly the model's state_dict(): names, shapes and dtypes
//   "optimizer/"   at most optimizer->max_state_bytes() + 8 (the learning rate); without an
//                  optimizer these members are skipped, never inflated
//   "fit/"         at most the model's bytes (fit's best weights) + checkpoint_fit_bytes
inline constexpr std::uint64_t checkpoint_fit_bytes = std::uint64_t{64}
                                                      << 20;  // history, generators
StateDict load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer = nullptr);

}  // namespace xtgrad::nn
