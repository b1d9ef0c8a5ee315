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
//
// Reading is bounded before anything is inflated, in two passes. Pass 1 looks only at the zip
// directory (names unique, listed sizes) and at each .npy member's header (inflating at most
// npy_max_header_bytes): every array must be expected, of the expected shape and dtype or within
// its prefix's budget, and its listed size exactly header + data. Pass 2 inflates the members,
// none beyond its listed size. A deflated member may expand 1032-fold, so the listed sizes,
// not the file's size, are what bound the memory.
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
#include <unordered_map>
#include <unordered_set>
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
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
    const zip_int64_t index =
        source == nullptr ? -1 : zip_file_add(archive, name.c_str(), source, 0);
    // Stored, not deflated, as numpy.savez does: float data hardly compresses anyway. Dated
    // 1980-01-01 00:00 (MS-DOS date (0 << 9) | (1 << 5) | 1, time 0), as numpy.savez does, so
    // that the same tensors always give the same bytes.
    if (index < 0 || zip_set_file_compression(archive, index, ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_dostime(archive, index, /*dtime=*/0, /*ddate=*/0x21, 0) != 0) {
      const std::string message = zip_strerror(archive);
      if (source != nullptr && index < 0) zip_source_free(source);  // else the archive owns it
      zip_discard(archive);                                         // writes nothing
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
    if (ends_with(name, kSuffix))
      throw ValueError(where + ": the raw member \"" + name + "\" ends in .npy");
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

// The archive at `path`, opened read-only (FileError naming it and the problem), after checking
// that no two members share a name: readers disagree on which one a duplicated name means
// (libzip finds the first, Python's zipfile and so numpy.load the last).
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
  std::unordered_set<std::string> names;
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* name = zip_get_name(archive, static_cast<zip_uint64_t>(i), 0);
    if (name == nullptr) {
      const std::string message = zip_strerror(archive);
      zip_discard(archive);
      fail(where, "cannot read member " + std::to_string(i) + ": " + message);
    }
    if (!names.insert(name).second) {
      const std::string twice = name;  // before zip_discard frees it
      zip_discard(archive);
      fail(where, "the member \"" + twice + "\" appears twice; which one is meant?");
    }
  }
  return archive;
}

// The listed (uncompressed) size of the member at `index`, and its name.
zip_stat_t stat_member(zip_t* archive, zip_uint64_t index, const std::string& where) {
  zip_stat_t st;
  if (zip_stat_index(archive, index, 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0) {
    fail(where, "cannot read member " + std::to_string(index) + ": " + zip_strerror(archive));
  }
  return st;
}

// The .npy header at the start of the member at `index`, inflating at most the header's
// bytes (npy_max_header_bytes) and never more than the `size` the archive lists.
NpyHeader read_member_header(zip_t* archive, zip_uint64_t index, const std::string& member,
                             zip_uint64_t size, const std::string& path, const std::string& where) {
  zip_file_t* file = zip_fopen_index(archive, index, 0);
  if (file == nullptr) {
    fail(where, "cannot open the member \"" + member + "\": " + zip_strerror(archive));
  }
  zip_uint64_t left = std::min<zip_uint64_t>(size, npy_max_header_bytes);
  std::string error;
  auto read = [&](char* dst, std::size_t n) -> std::size_t {
    std::size_t done = 0;
    while (done < n && left > 0 && error.empty()) {
      const zip_int64_t got = zip_fread(file, dst + done, std::min<zip_uint64_t>(n - done, left));
      if (got < 0) error = zip_file_strerror(file);
      if (got <= 0) break;
      done += static_cast<std::size_t>(got);
      left -= static_cast<zip_uint64_t>(got);
    }
    return done;
  };
  try {
    const NpyHeader header = read_npy_header(read, path + ":" + member);
    zip_fclose(file);
    return header;
  } catch (const FileError&) {
    zip_fclose(file);
    if (!error.empty()) fail(where, "cannot read the member \"" + member + "\": " + error);
    throw;
  }
}

bool has_prefix(const std::string& name, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& prefix) { return starts_with(name, prefix); });
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::uint64_t data_bytes(const Tensor& t) {
  return static_cast<std::uint64_t>(t.numel()) * dtype_size(t.dtype());
}

// An .npy member to read: where it is in the archive, its key and its listed size.
struct PlannedMember {
  zip_uint64_t index;
  std::string member, key;
  zip_uint64_t size;
};

// Pass 1 of load_npz: the members to read, after every check that needs no data (the
// directory and the .npy headers). Throws on the first budget overrun or inconsistent
// member, and at the end with every missing, unexpected and mismatched array.
std::vector<PlannedMember> plan_members(zip_t* archive, const NpzExpectation& expected,
                                        const std::string& path, const std::string& where) {
  std::unordered_map<std::string, const Tensor*> arrays;
  for (const auto& [name, tensor] : expected.arrays) arrays.emplace(name, &tensor);
  std::vector<std::uint64_t> used(expected.budgets.size(), 0);
  std::vector<PlannedMember> plan;
  std::unordered_set<std::string> found;
  std::vector<std::string> unexpected, mismatched;
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    const zip_stat_t st = stat_member(archive, index, where);
    const std::string member = st.name;
    if (!ends_with(member, kSuffix)) continue;  // numpy.load keeps other members as raw bytes
    const std::string key = member.substr(0, member.size() - kSuffix.size());
    const auto array = arrays.find(key);
    std::size_t budget = 0;
    while (budget < expected.budgets.size() && !starts_with(key, expected.budgets[budget].first))
      ++budget;
    if (array == arrays.end() && has_prefix(key, expected.skipped)) continue;
    if (array == arrays.end() && budget == expected.budgets.size()) {
      unexpected.push_back(key);
      continue;
    }
    const NpyHeader header = read_member_header(archive, index, member, st.size, path, where);
    // NOTE: the listed size bounds what read_member inflates; with it equal to what the header
    // describes, the checks below bound the data too.
    if (st.size != header.header_bytes + header.data_bytes) {
      fail(where, "the member \"" + member + "\" lists " + std::to_string(st.size) +
                      " bytes, but its .npy header describes " +
                      std::to_string(header.header_bytes) + " + " +
                      std::to_string(header.data_bytes) + " bytes (a " + shape_str(header.shape) +
                      " " + dtype_name(header.dtype) + " array)");
    }
    if (array != arrays.end()) {
      const Tensor& want = *array->second;
      found.insert(key);
      if (header.shape != want.shape()) {
        mismatched.push_back("shape mismatch for " + key + " (checkpoint " +
                             shape_str(header.shape) + ", model " + shape_str(want.shape()) + ")");
      } else if (header.dtype != want.dtype()) {
        mismatched.push_back("dtype mismatch for " + key + " (checkpoint " +
                             dtype_name(header.dtype) + ", model " + dtype_name(want.dtype()) +
                             ")");
      }
    } else {
      const auto& [prefix, limit] = expected.budgets[budget];
      if (header.data_bytes > limit - used[budget]) {  // used <= limit: no overflow
        fail(where, "the member \"" + member + "\" (a " + shape_str(header.shape) + " " +
                        dtype_name(header.dtype) + " array of " +
                        std::to_string(header.data_bytes) + " bytes) takes the arrays " +
                        (prefix.empty() ? "" : "under \"" + prefix + "\" ") + "beyond the " +
                        std::to_string(limit) + " bytes expected");
      }
      used[budget] += header.data_bytes;
    }
    plan.push_back({index, member, key, st.size});
  }
  std::vector<std::string> missing;
  for (const auto& [name, tensor] : expected.arrays) {
    if (found.count(name) == 0) missing.push_back(name);
  }
  std::string problems;
  if (!mismatched.empty()) problems += " " + joined(mismatched) + ".";
  if (!missing.empty()) problems += " missing keys: " + joined(missing) + ".";
  if (!unexpected.empty()) problems += " unexpected keys: " + joined(unexpected) + ".";
  if (!mismatched.empty()) throw ShapeError(where + ":" + problems);
  if (!problems.empty()) throw ValueError(where + ":" + problems);
  return plan;
}

}  // namespace

StateDict load_npz(const std::string& path, const NpzExpectation& expected) {
  const std::string where = "load_npz: " + path;
  zip_t* archive = open_archive(path, where);
  StateDict state;
  try {
    // Pass 2: the data, each member inflated to no more than its (checked) listed size.
    for (const PlannedMember& m : plan_members(archive, expected, path, where)) {
      const std::string bytes = read_member(archive, m.index, m.member, m.size, where);
      state.emplace_back(m.key, from_npy_bytes(bytes, path + ":" + m.member));
    }
  } catch (...) {
    zip_discard(archive);
    throw;
  }
  zip_discard(archive);  // opened read-only: nothing to write
  return state;
}

StateDict load_npz(const std::string& path) {
  NpzExpectation any;
  any.budgets.emplace_back("", npz_max_bytes);
  return load_npz(path, any);
}

std::optional<std::string> load_npz_raw_member(const std::string& path, const std::string& name) {
  const std::string where = "load_npz: " + path;
  zip_t* archive = open_archive(path, where);
  std::optional<std::string> bytes;
  try {
    const zip_int64_t index = zip_name_locate(archive, name.c_str(), 0);
    if (index >= 0) {
      const zip_stat_t st = stat_member(archive, static_cast<zip_uint64_t>(index), where);
      if (st.size > npz_max_raw_member_bytes) {
        fail(where, "the member \"" + name + "\" lists " + std::to_string(st.size) +
                        " bytes, more than the " + std::to_string(npz_max_raw_member_bytes) +
                        " that a member which is not an array may hold");
      }
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
  NpzExpectation expected;
  expected.arrays = model.state_dict();
  std::uint64_t model_bytes = 0;
  for (const auto& [name, tensor] : expected.arrays) model_bytes += data_bytes(tensor);
  if (optimizer != nullptr) {
    expected.budgets.emplace_back(kOptimizerPrefix, optimizer->max_state_bytes() + sizeof(double));
  } else {
    expected.skipped.push_back(kOptimizerPrefix);
  }
  expected.budgets.emplace_back(kTrainingPrefix, model_bytes + checkpoint_fit_bytes);
  // load_npz names the file and the keys; we add our name, keeping the exception's type.
  StateDict entries;
  try {
    entries = load_npz(path, expected);
  } catch (const ShapeError& e) {
    throw ShapeError("load_checkpoint: " + std::string(e.what()));
  } catch (const ValueError& e) {
    throw ValueError("load_checkpoint: " + std::string(e.what()));
  }
  StateDict model_state, optimizer_state, training;
  Tensor lr;
  for (auto& [key, tensor] : entries) {
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
  model.load_state_dict(model_state, /*strict=*/true);  // load_npz has checked every key and shape
  if (optimizer != nullptr) {
    optimizer->load_state_dict(optimizer_state);
    optimizer->set_learning_rate(lr.item());
  }
  return training;
}

}  // namespace xtgrad::nn
