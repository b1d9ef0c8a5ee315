// Checkpoints as .npz files: what numpy.savez writes and numpy.load reads.
//
// An .npz file is a zip archive with one member per array, named "<key>.npy" and holding that
// array's .npy bytes (tensor/io.hpp). NumPy stores the members uncompressed (ZIP_STORED), and
// so do we; numpy.load also reads deflated members (savez_compressed), and so does libzip.
// https://numpy.org/doc/stable/reference/generated/numpy.savez.html
//
//   model.npz (zip)
//   ├── 0.weight.npy              (out, in) float32
//   ├── 0.bias.npy                (out,)
//   ├── ...
//   ├── optimizer/lr.npy          the learning rate, when saved with an optimizer
//   ├── optimizer/0.exp_avg.npy   its state (moments, step counts)
//   └── config.json               raw members that are not arrays (numpy.load gives bytes)
#include "nn/checkpoint.hpp"

#include <unistd.h>  // getpid, for the temporary file's name
#include <zip.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tensor/creation.hpp"
#include "tensor/errors.hpp"
#include "tensor/io.hpp"

namespace xtgrad::nn {
namespace {

const std::string kSuffix = ".npy";
const std::string kOptimizerPrefix = "optimizer/";
const std::string kOptimizerLr = "optimizer/lr";  // the optimizer's learning rate, 0-d float64
const std::string kTrainingPrefix = "fit/";

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
  throw FileError(where + ": " + problem);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// libzip's message for an error code from zip_open, e.g. "Not a zip archive" or
// "Can't open file: Permission denied" (for system errors libzip adds errno's text).
std::string zip_message(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

// A member of the archive: its name ("0.weight.npy") and its .npy bytes.
using Member = std::pair<std::string, std::string>;

// Writes the archive to `tmp`. On failure throws, and neither `tmp` nor libzip's own temporary
// file is left behind.
void write_archive(const std::string& tmp, const std::vector<Member>& members,
                   const std::string& where) {
  if (members.empty()) {
    // NOTE: libzip writes no file at all for an archive without members; an empty zip is just
    // the 22-byte end-of-central-directory record, which is also what numpy.savez() writes.
    const std::string empty_zip = "PK\x05\x06" + std::string(18, '\0');
    std::ofstream out(tmp, std::ios::binary);
    if (!(out << empty_zip) || !out.flush()) {
      std::remove(tmp.c_str());
      fail(where, "cannot write the temporary file " + tmp);
    }
    return;
  }
  int code = 0;
  zip_t* archive = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (archive == nullptr) {
    fail(where, "cannot create the temporary file " + tmp + ": " + zip_message(code));
  }
  for (const auto& [name, bytes] : members) {
    zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), /*freep=*/0);
    const zip_int64_t index = source == nullptr ? -1 : zip_file_add(archive, name.c_str(), source, 0);
    // Stored, not deflated, as numpy.savez does: float data hardly compresses anyway. Dated
    // 1980-01-01 00:00 (MS-DOS date (0 << 9) | (1 << 5) | 1, time 0), as numpy.savez does, so
    // that the same tensors always give the same bytes.
    if (index < 0 || zip_set_file_compression(archive, index, ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_dostime(archive, index, /*dtime=*/0, /*ddate=*/0x21, 0) != 0) {
      const std::string message = zip_strerror(archive);
      if (source != nullptr && index < 0) zip_source_free(source);  // else the archive owns it
      zip_discard(archive);  // writes nothing
      fail(where, "cannot add the member \"" + name + "\": " + message);
    }
  }
  // zip_close writes everything: to its own temporary file next to `tmp`, renamed to `tmp` at
  // the end. On failure that file is removed, and the archive must still be freed.
  if (zip_close(archive) != 0) {
    const std::string message = zip_strerror(archive);
    zip_discard(archive);
    std::remove(tmp.c_str());
    fail(where, "cannot write the temporary file " + tmp + ": " + message);
  }
}

// The bytes of the member at `index`, checked against its CRC-32.
std::string read_member(zip_t* archive, zip_uint64_t index, const std::string& member,
                        zip_uint64_t size, const std::string& where) {
  zip_file_t* file = zip_fopen_index(archive, index, 0);
  if (file == nullptr) {
    fail(where, "cannot open the member \"" + member + "\": " + zip_strerror(archive));
  }
  // NOTE: libzip checks a member's CRC-32 only when a read reaches the end of its data, so we
  // read until zip_fread returns 0, asking for one byte more than the archive lists.
  // NOTE: the listed size is untrusted (a damaged or hostile archive may claim 4 GB), so the
  // buffer grows with the bytes that really arrive, never ahead of them by more than a chunk.
  constexpr zip_uint64_t kChunk = zip_uint64_t{1} << 20;
  std::string bytes;
  zip_uint64_t done = 0;
  zip_int64_t n = 0;
  do {
    const zip_uint64_t want = std::min(kChunk, size + 1 - done);
    bytes.resize(done + want);
    n = zip_fread(file, &bytes[done], want);
    if (n > 0) done += static_cast<zip_uint64_t>(n);
  } while (n > 0 && done <= size);
  const std::string message = n < 0 ? zip_file_strerror(file) : "";
  zip_fclose(file);
  if (n < 0) fail(where, "cannot read the member \"" + member + "\": " + message);
  if (done != size) {
    fail(where, "the member \"" + member + "\" does not hold the " + std::to_string(size) +
                    " bytes that the archive lists for it");
  }
  bytes.resize(size);
  return bytes;
}

}  // namespace

// NOTE: rename() replaces the target in one step (POSIX), so readers see the old checkpoint or
// the new one, never half of one; save_npy in tensor/npy.cpp does the same.
void save_npz(const std::string& path, const StateDict& tensors, const RawMembers& raw) {
  const std::string where = "save_npz: " + path;
  static std::atomic<unsigned> counter{0};  // two saves to one path get different temp names
  // NOTE: libzip reads the members' bytes only in zip_close, so they are all made first and
  // live until then: while saving, memory holds a second copy of every tensor.
  std::vector<Member> members;
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined()) throw ValueError(where + ": the tensor \"" + name + "\" is undefined");
    members.emplace_back(name + kSuffix, to_npy_bytes(tensor));
  }
  for (const auto& [name, bytes] : raw) {
    if (ends_with(name, kSuffix)) throw ValueError(where + ": the raw member \"" + name + "\" ends in .npy");
    members.emplace_back(name, bytes);
  }
  const std::string tmp =
      path + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(counter++);
  write_archive(tmp, members, where);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    fail(where, "cannot rename " + tmp + " to it: " + std::strerror(err));
  }
}

namespace {

// The archive at `path`, opened read-only (FileError naming it and the problem).
zip_t* open_archive(const std::string& path, const std::string& where) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(where, "cannot open: it is a directory");
  int code = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (archive == nullptr) {
    const std::string hint = code == ZIP_ER_NOZIP ? " (an .npz file is a zip of .npy files, as "
                                                    "numpy.savez writes; this one may be cut "
                                                    "short, or be a single .npy file, which "
                                                    "load_npy reads)"
                                                  : "";
    fail(where, "cannot open: " + zip_message(code) + hint);
  }
  return archive;
}

}  // namespace

StateDict load_npz(const std::string& path) {
  const std::string where = "load_npz: " + path;
  zip_t* archive = open_archive(path, where);
  StateDict state;
  try {
    const zip_int64_t count = zip_get_num_entries(archive, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
      zip_stat_t st;
      if (zip_stat_index(archive, i, 0, &st) != 0) {
        fail(where, "cannot read member " + std::to_string(i) + ": " + zip_strerror(archive));
      }
      const std::string member = st.name;
      if (!ends_with(member, kSuffix)) continue;  // numpy.load keeps other members as raw bytes
      const std::string key = member.substr(0, member.size() - kSuffix.size());
      if (find(state, key) != nullptr) {
        fail(where, "the member \"" + member + "\" appears twice; which one is meant?");
      }
      const std::string bytes = read_member(archive, i, member, st.size, where);
      state.emplace_back(key, from_npy_bytes(bytes, path + ":" + member));
    }
  } catch (...) {
    zip_discard(archive);
    throw;
  }
  zip_discard(archive);  // opened read-only: nothing to write
  return state;
}

std::optional<std::string> load_npz_raw_member(const std::string& path, const std::string& name) {
  const std::string where = "load_npz: " + path;
  zip_t* archive = open_archive(path, where);
  std::optional<std::string> bytes;
  try {
    const zip_int64_t index = zip_name_locate(archive, name.c_str(), 0);
    zip_stat_t st;
    if (index >= 0 && zip_stat_index(archive, static_cast<zip_uint64_t>(index), 0, &st) == 0) {
      bytes = read_member(archive, static_cast<zip_uint64_t>(index), name, st.size, where);
    }
  } catch (...) {
    zip_discard(archive);
    throw;
  }
  zip_discard(archive);
  return bytes;
}

void save_checkpoint(const std::string& path, const Module& model, const Optimizer* optimizer,
                     const StateDict& training) {
  StateDict state = model.state_dict();
  if (optimizer != nullptr) {
    // Always written: it marks the file as saved with an optimizer (even one that keeps no
    // state) and restores a learning rate that a schedule has changed.
    state.emplace_back(kOptimizerLr, full({}, optimizer->learning_rate(), DType::float64));
    for (const auto& [name, tensor] : optimizer->state_dict()) {
      state.emplace_back(kOptimizerPrefix + name, tensor);
    }
  }
  for (const auto& [name, tensor] : training) state.emplace_back(kTrainingPrefix + name, tensor);
  save_npz(path, state);
}

StateDict load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer) {
  StateDict model_state, optimizer_state, training;
  Tensor lr;
  for (auto& [key, tensor] : load_npz(path)) {
    if (key == kOptimizerLr) {
      lr = tensor;
    } else if (starts_with(key, kTrainingPrefix)) {
      training.emplace_back(key.substr(kTrainingPrefix.size()), tensor);
    } else if (starts_with(key, kOptimizerPrefix)) {
      optimizer_state.emplace_back(key.substr(kOptimizerPrefix.size()), tensor);
    } else {
      model_state.emplace_back(key, tensor);
    }
  }
  // Checked before anything is loaded, so that this error leaves the model as it was.
  if (optimizer != nullptr && !lr.defined()) {
    throw ValueError("load_checkpoint: " + path + " was saved without an optimizer (no \"" +
                     kOptimizerLr + "\") but one was given (" + optimizer->name() +
                     "); load_checkpoint(path, model) loads the model alone");
  }
  // Module::load_state_dict names the keys; we add the file, keeping the exception's type.
  const std::string where = "load_checkpoint: " + path + ": ";
  try {
    model.load_state_dict(model_state, /*strict=*/true);
  } catch (const ShapeError& e) {
    throw ShapeError(where + e.what());
  } catch (const ValueError& e) {
    throw ValueError(where + e.what());
  }
  if (optimizer != nullptr) {
    optimizer->load_state_dict(optimizer_state);
    optimizer->set_learning_rate(lr.item());
  }
  return training;
}

}  // namespace xtgrad::nn
