// .npy files: NumPy's format for one array, written byte for byte as np.save writes it.
//
// Layout (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
//
//   "\x93NUMPY"  major minor  header_len    header                                 data
//   6 bytes      1     1      uint16 LE     "{'descr': '<f4', 'fortran_order':     numel * itemsize
//                             (uint32 from   False, 'shape': (2, 3), }" + spaces    bytes, C order
//                             version 2.0)   + '\n'
//
// The header is a Python dict literal, padded with spaces so that the data starts at a multiple
// of 64 bytes. We write version 1.0, as np.save does, and read 1.0, 2.0 (written by NumPy for
// headers over 64 KiB) and 3.0 (which differs from 2.0 only in allowing UTF-8 in the header).
#include <unistd.h>  // getpid, for the temporary file's name

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "tensor/io.hpp"

// NOTE: the data bytes are copied straight between the file and the tensor's storage, which is
// right only on a little-endian machine (x86-64, ARM64): the same order as '<f4'.
#if defined(__BYTE_ORDER__)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy.cpp assumes a little-endian host");
#endif

namespace xtgrad {
namespace {

const std::string kMagic("\x93NUMPY", 6);
constexpr std::size_t kAlign = 64;                    // the data starts at a multiple of 64 bytes
constexpr std::size_t kChunk = std::size_t{1} << 24;  // bytes per fread/fwrite call

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
  throw FileError(where + ": " + problem);
}

// NumPy's names for our dtypes: '<' little-endian, '|' byte order does not apply; then the kind
// (float, int, bool) and the size in bytes.
const std::pair<DType, const char*> kDescrs[] = {{DType::float32, "<f4"},
                                                 {DType::float64, "<f8"},
                                                 {DType::int64, "<i8"},
                                                 {DType::boolean, "|b1"}};

std::string descr_of(DType dtype) {
  for (const auto& [d, descr] : kDescrs) {
    if (d == dtype) return descr;
  }
  return "?";
}

DType dtype_of_descr(const std::string& descr, const std::string& where) {
  for (const auto& [d, name] : kDescrs) {
    if (descr == name) return d;
  }
  const std::string kind = descr.empty() || descr[0] != '>' ? "" : "big-endian data, ";
  fail(where, "unsupported dtype '" + descr + "' (" + kind +
                  "xtgrad reads '<f4' float32, '<f8' float64, '<i8' int64 and '|b1' bool; "
                  "convert in NumPy with arr.astype('<f4') or similar)");
}

// The element bytes of t: one block, since storage is contiguous. Takes a handle by value so
// that it can call the non-const data<T>() for a const tensor too.
char* bytes_of(Tensor t) {
  switch (t.dtype()) {
    case DType::float32:
      return reinterpret_cast<char*>(t.data<float>());
    case DType::float64:
      return reinterpret_cast<char*>(t.data<double>());
    case DType::int64:
      return reinterpret_cast<char*>(t.data<std::int64_t>());
    case DType::boolean:
      return reinterpret_cast<char*>(t.data<bool>());
  }
  return nullptr;
}

std::size_t nbytes_of(const Tensor& t) {
  return static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype());
}

// Magic, version, header length and header, exactly as NumPy's format._write_array_header.
std::string npy_header(const Tensor& t, const std::string& where) {
  std::string dict = "{'descr': '" + descr_of(t.dtype()) +
                     "', 'fortran_order': False, 'shape': " + shape_str(t.shape()) + ", }";
  // NOTE: NumPy >= 1.23 leaves room for the first size to grow to 21 digits (so that a file can
  // be appended to in place); we add the same spaces, or our bytes would differ from np.save's.
  if (t.dim() > 0) dict.append(21 - std::to_string(t.shape()[0]).size(), ' ');
  const std::size_t unpadded = kMagic.size() + 2 + 2 + dict.size() + 1;  // + '\n'
  const std::size_t pad = kAlign - unpadded % kAlign;  // NOTE: 1..64, never 0, as in NumPy
  const std::size_t header_len = dict.size() + pad + 1;
  if (header_len > 0xFFFF) {  // only with thousands of axes; NumPy allows 32 (64 from 2.0)
    fail(where, "a shape with " + std::to_string(t.dim()) + " axes does not fit in an .npy header");
  }
  return kMagic + '\x01' + '\x00' + static_cast<char>(header_len & 0xFF) +  // uint16, little-endian
         static_cast<char>(header_len >> 8) + dict + std::string(pad, ' ') + '\n';
}

// Reads the header's dict literal: keys in any order, spaces anywhere, '...' or "..." quotes,
// trailing commas. Every complaint quotes the header.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& where) : s_(text), where_(where) {}
  NpyHeader parse();  // dtype, shape and data_bytes

 private:
  [[noreturn]] void malformed(const std::string& why) const {
    const std::string shown = s_.substr(0, s_.find_last_not_of(" \n") + 1).substr(0, 200);
    fail(where_, "malformed header: " + why + " in " + shown);
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n')) ++pos_;
  }
  bool eat(char c) {  // skips spaces, then consumes c if it is next
    skip_space();
    return pos_ < s_.size() && s_[pos_] == c ? (++pos_, true) : false;
  }
  void expect(char c) {
    if (!eat(c)) malformed(std::string("expected '") + c + "'");
  }
  std::string quoted() {
    const char q = eat('\'') ? '\'' : eat('"') ? '"' : '\0';
    const std::size_t end = q ? s_.find(q, pos_) : std::string::npos;
    if (end == std::string::npos) malformed("expected a quoted string");
    std::string out = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }
  std::int64_t integer() {
    skip_space();
    std::int64_t value = 0;
    const std::size_t start = pos_;
    for (; pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; ++pos_) {
      if (value > (std::numeric_limits<std::int64_t>::max() - 9) / 10) malformed("size too large");
      value = value * 10 + (s_[pos_] - '0');
    }
    if (pos_ == start) malformed("expected a size");
    if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 wrote (3L, 4L)
    return value;
  }
  Shape tuple() {  // "()", "(5,)", "(2, 3)"
    Shape shape;
    expect('(');
    while (!eat(')')) {
      shape.push_back(integer());
      if (!eat(',')) {
        expect(')');
        break;
      }
    }
    return shape;
  }

  const std::string& s_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

NpyHeader HeaderParser::parse() {
  NpyHeader info;
  bool has_descr = false, has_order = false, has_shape = false;
  expect('{');
  while (!eat('}')) {
    const std::string key = quoted();
    expect(':');
    skip_space();
    if (key == "descr") {
      if (s_.compare(pos_, 1, "[") == 0) fail(where_, "unsupported dtype: a structured array");
      info.dtype = dtype_of_descr(quoted(), where_);
      has_descr = true;
    } else if (key == "fortran_order") {
      if (s_.compare(pos_, 4, "True") == 0) {
        fail(where_,
             "fortran_order True (column-major data) is not supported; save "
             "np.ascontiguousarray(arr) instead");
      }
      if (s_.compare(pos_, 5, "False") != 0) malformed("fortran_order must be True or False");
      pos_ += 5;
      has_order = true;
    } else if (key == "shape") {
      info.shape = tuple();
      has_shape = true;
    } else {
      malformed("unexpected key '" + key + "'");
    }
    if (!eat(',')) {
      expect('}');
      break;
    }
  }
  skip_space();
  if (pos_ != s_.size()) malformed("unexpected text after '}'");
  if (!has_descr || !has_order || !has_shape) {
    malformed("'descr', 'fortran_order' and 'shape' are all required");
  }
  info.data_bytes = dtype_size(info.dtype);  // * numel, checking for overflow
  for (std::int64_t size : info.shape) {
    const auto n = static_cast<std::size_t>(size);
    if (n != 0 && info.data_bytes > SIZE_MAX / n) malformed("shape too large");
    info.data_bytes *= n;
  }
  return info;
}

// Checks the magic string and the version in the first n (<= 8) bytes; returns how many bytes
// hold the header length: 2 in version 1.0, 4 in 2.0 and 3.0.
std::size_t check_magic_and_version(const char* p, std::size_t n, const std::string& where) {
  if (n == 0) fail(where, "not an .npy file: it is empty");
  if (n < kMagic.size() || kMagic.compare(0, kMagic.size(), p, kMagic.size()) != 0) {
    std::string start;  // shown with escapes: an .npz archive starts with "PK\x03\x04"
    for (std::size_t i = 0; i < std::min<std::size_t>(n, 6); ++i) {
      const auto byte = static_cast<unsigned char>(p[i]);
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      start += byte >= 32 && byte < 127 ? std::string(1, p[i]) : std::string(hex);
    }
    fail(where,
         "not an .npy file: it should start with \"\\x93NUMPY\" but starts with \"" + start + "\"");
  }
  if (n < 8) fail(where, "truncated header: the data ends after " + std::to_string(n) + " bytes");
  const unsigned major = static_cast<unsigned char>(p[6]);
  const unsigned minor = static_cast<unsigned char>(p[7]);
  if (major < 1 || major > 3 || minor != 0) {
    fail(where, "unsupported .npy format version " + std::to_string(major) + "." +
                    std::to_string(minor) + " (xtgrad reads 1.0, 2.0 and 3.0)");
  }
  return major == 1 ? 2 : 4;
}

void check_available(const NpyHeader& info, std::size_t available, const std::string& where) {
  if (available < info.data_bytes) {
    fail(where, "truncated data: expected " + std::to_string(info.data_bytes) + " bytes for a " +
                    shape_str(info.shape) + " " + descr_of(info.dtype) + " array, got " +
                    std::to_string(available));
  }
  // NOTE: bytes after the data are ignored, as np.load does.
}

// NOTE: a C++ bool must hold 0 or 1, but in a '|b1' file any nonzero byte means True.
void normalize_bools(Tensor& t) {
  if (t.dtype() != DType::boolean) return;
  auto* p = reinterpret_cast<unsigned char*>(bytes_of(t));
  for (std::size_t i = 0; i < nbytes_of(t); ++i) p[i] = p[i] != 0;
}

// Reads the header of an .npy of `size` bytes (SIZE_MAX: unknown) from read(dst, n), which
// copies up to n bytes to dst and returns how many it copied. One function serves files,
// memory and streams.
template <class Read>
NpyHeader read_header(Read&& read, std::size_t size, const std::string& where) {
  char prefix[12];
  const std::size_t len_bytes = check_magic_and_version(prefix, read(prefix, 8), where);
  const std::size_t after_prefix = size - std::min(size, 8 + len_bytes);
  const std::size_t got_len = read(prefix + 8, len_bytes);
  if (got_len != len_bytes) {
    fail(where, "truncated header: the data ends after " + std::to_string(8 + got_len) + " bytes");
  }
  std::size_t header_len = 0;
  for (std::size_t i = 8 + len_bytes; i-- > 8;) {  // little-endian
    header_len = header_len * 256 + static_cast<unsigned char>(prefix[i]);
  }
  if (header_len > npy_max_header_bytes - 12) {
    fail(where, "a header of " + std::to_string(header_len) + " bytes is longer than the " +
                    std::to_string(npy_max_header_bytes - 12) + " that xtgrad reads");
  }
  if (after_prefix < header_len) {
    fail(where, "truncated header: expected " + std::to_string(header_len) + " bytes, got " +
                    std::to_string(after_prefix));
  }
  std::string header(header_len, '\0');
  const std::size_t got = read(header.data(), header_len);
  if (got != header_len) {  // a stream of unknown size ends here
    fail(where, "truncated header: expected " + std::to_string(header_len) + " bytes, got " +
                    std::to_string(got));
  }
  NpyHeader info = HeaderParser(header, where).parse();
  info.header_bytes = 8 + len_bytes + header_len;
  return info;
}

// Reads an .npy of `size` bytes from read(dst, n), as read_header does.
template <class Read>
Tensor read_npy(Read&& read, std::size_t size, const std::string& where) {
  const NpyHeader info = read_header(read, size, where);
  check_available(info, size - info.header_bytes, where);
  Tensor t = Tensor::empty(info.shape, info.dtype);
  check_available(info, read(bytes_of(t), info.data_bytes), where);  // a file may shrink meanwhile
  normalize_bools(t);
  return t;
}

// Writes the header and t's bytes to `tmp`; on any failure removes `tmp` and throws.
void write_file(const std::string& tmp, const Tensor& t, const std::string& where) {
  const std::string header = npy_header(t, where);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    fail(where, "cannot create the temporary file " + tmp + ": " + std::strerror(errno));
  }
  bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
  const char* data = bytes_of(t);
  const std::size_t n = nbytes_of(t);
  for (std::size_t done = 0; ok && done < n; done += kChunk) {
    const std::size_t len = std::min(kChunk, n - done);
    ok = std::fwrite(data + done, 1, len, f) == len;
  }
  int err = ok ? 0 : errno;
  if (std::fclose(f) != 0 && ok) {  // NOTE: a full disk may show only when the buffer is flushed
    ok = false;
    err = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    fail(where, std::string("cannot write the file: ") + std::strerror(err));
  }
}

}  // namespace

std::string to_npy_bytes(const Tensor& t) {
  check_defined("to_npy_bytes", t);
  return npy_header(t, "to_npy_bytes") + std::string(bytes_of(t), nbytes_of(t));
}

Tensor from_npy_bytes(const std::string& bytes, const std::string& name) {
  std::size_t pos = 0;
  auto read = [&](char* dst, std::size_t n) {
    n = std::min(n, bytes.size() - pos);
    std::memcpy(dst, bytes.data() + pos, n);
    pos += n;
    return n;
  };
  return read_npy(read, bytes.size(), "from_npy_bytes: " + name);
}

NpyHeader read_npy_header(const std::function<std::size_t(char*, std::size_t)>& read,
                          const std::string& name) {
  return read_header(read, SIZE_MAX, "read_npy_header: " + name);
}

Tensor load_npy(const std::string& path) {
  const std::string where = "load_npy: " + path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(where, "cannot open: it is a directory");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail(where, std::string("cannot open: ") + std::strerror(errno));
  const std::size_t size = std::filesystem::file_size(path, ec);
  if (ec) fail(where, "cannot read its size: " + ec.message());
  auto read = [&](char* dst, std::size_t n) {  // fread in chunks until n bytes or the end
    std::size_t done = 0;
    while (done < n) {
      const std::size_t got = std::fread(dst + done, 1, std::min(kChunk, n - done), f.get());
      if (got == 0) break;
      done += got;
    }
    return done;
  };
  return read_npy(read, size, where);
}

// NOTE: rename() replaces the target in one step (POSIX), so readers see the old file or the
// new one, never half of one. (We do not fsync: a power cut may still lose the new file.)
void save_npy(const std::string& path, const Tensor& t) {
  check_defined("save_npy", t);
  const std::string where = "save_npy: " + path;
  static std::atomic<unsigned> counter{0};  // two saves to one path get different temp names
  const std::string tmp =
      path + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(counter++);
  write_file(tmp, t, where);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    fail(where, "cannot rename " + tmp + " to it: " + std::strerror(err));
  }
}

}  // namespace xtgrad
