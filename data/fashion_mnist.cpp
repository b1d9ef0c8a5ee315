// Reading Fashion-MNIST's IDX files with zlib (gzread reads gzipped and plain files alike).
//
// A file is read completely and checked before anything is converted: the header, the
// number of data bytes the header promises, and that nothing follows them. The header's claim
// is checked against the file before the data is read (read_idx). Pixels become float32
// pixel / 255, labels int64.
#include "data/fashion_mnist.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace xtgrad::data {

namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // 2051: unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // 2049: unsigned bytes, 1 dimension
constexpr std::int64_t kSide = 28;                  // Fashion-MNIST images are 28 x 28

std::string in_quotes(const std::string& path) { return "'" + path + "'"; }

// An open gzFile that closes itself. For a file that is not gzip, zlib reads it as it is.
class GzReader {
 public:
  GzReader(const char* op, const std::string& path) : op_(op), path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      throw FileError(op_ + ": cannot open " + in_quotes(path_) + ": " +
                      (errno != 0 ? std::strerror(errno) : "out of memory"));
    }
    gzbuffer(file_, 1 << 20);  // read in 1 MiB steps (zlib's default is 8 KiB)
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Appends up to n bytes to `out`; returns how many were read (fewer only at the end of
  // the file). Throws FileError on a read error or a damaged gzip stream.
  std::size_t read(std::vector<std::uint8_t>& out, std::size_t n) {
    constexpr std::size_t kChunk = 1 << 20;
    std::size_t got = 0;
    while (got < n) {
      const std::size_t want = std::min(kChunk, n - got);
      const std::size_t old_size = out.size();
      out.resize(old_size + want);
      const std::size_t r = read_into(out.data() + old_size, want);
      out.resize(old_size + r);
      got += r;
      if (r < want) break;  // the end of the file
    }
    return got;
  }

  // Reads up to n bytes and throws them away, 1 MiB at a time; returns how many there were.
  std::size_t skip(std::size_t n) {
    std::vector<std::uint8_t> scratch(std::min<std::size_t>(n, 1 << 20));
    std::size_t got = 0;
    while (got < n) {
      const std::size_t want = std::min(scratch.size(), n - got);
      const std::size_t r = read_into(scratch.data(), want);
      got += r;
      if (r < want) break;
    }
    return got;
  }

  // Whether zlib reads the file as it is (not gzip); known after the first read.
  bool plain() const { return gzdirect(file_) == 1; }
  // Back to the first byte.
  void rewind() {
    if (gzrewind(file_) != 0) {
      int code = Z_OK;
      throw FileError(op_ + ": cannot read " + in_quotes(path_) + " again: " + zlib_message(&code));
    }
  }

 private:
  // Up to n (at most 1 MiB) bytes into dst; fewer only at the end of the file.
  std::size_t read_into(std::uint8_t* dst, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      const int r = gzread(file_, dst + got, static_cast<unsigned>(n - got));
      if (r < 0) {
        int code = Z_OK;
        const std::string message = zlib_message(&code);
        throw FileError(op_ + ": cannot read " + in_quotes(path_) + ": " +
                        (code == Z_ERRNO ? std::strerror(errno) : message));
      }
      if (r == 0) {  // end of the file; zlib flags a gzip stream that stops mid-way
        int code = Z_OK;
        const std::string message = zlib_message(&code);
        if (code == Z_BUF_ERROR) {
          throw FileError(op_ + ": cannot read " + in_quotes(path_) + ": " + message +
                          " (the gzip data is cut short)");
        }
        break;
      }
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

  // zlib's description of the last error ("invalid distance code"), without the
  // "<path>: " that zlib puts in front; its error code goes to *code.
  std::string zlib_message(int* code) const {
    std::string message = gzerror(file_, code);
    const std::string prefix = path_ + ": ";
    if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
    return message;
  }

  std::string op_;
  std::string path_;
  gzFile file_ = nullptr;
};

std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
         std::uint32_t{p[3]};
}

// The checked content of one IDX file of unsigned bytes.
struct IdxData {
  std::string path;
  std::vector<std::int64_t> sizes;  // one per dimension, outermost first
  std::vector<std::uint8_t> bytes;  // the elements, row-major
};

// The bytes after the data that a gzip file's trailing-bytes message counts exactly; beyond
// them it says "more than": counting all of a bomb's would take seconds.
constexpr std::uint64_t kTrailingCounted = std::uint64_t{1} << 20;

// What an IDX header claims: `data_bytes` after its `header_bytes`, and nothing more. Makes the
// messages of a file that holds less or more.
struct IdxClaim {
  std::string at;    // "<op>: '<path>'"
  const char* what;  // "images"
  std::uint64_t header_bytes = 0, data_bytes = 0;

  FileError truncated(std::uint64_t got) const {
    return FileError(at + " is truncated: expected " + std::to_string(data_bytes) + " bytes of " +
                     what + " after the " + std::to_string(header_bytes) + "-byte header, got " +
                     std::to_string(got));
  }
  // `extra` bytes follow the data; more than that when not `counted_all`.
  FileError trailing(std::uint64_t extra, bool counted_all) const {
    return FileError(at + " has " + (counted_all ? "" : "more than ") + std::to_string(extra) +
                     " unexpected bytes after its " + std::to_string(data_bytes) + " bytes of " +
                     what);
  }
};

// The length of a gzip file's content as its trailer says: ISIZE, the last 4 bytes, is the
// uncompressed length of the last gzip member mod 2^32 (RFC 1952, section 2.3.1).
std::uint32_t gzip_isize(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[4] = {0, 0, 0, 0};
  in.seekg(-4, std::ios::end);
  in.read(reinterpret_cast<char*>(b), 4);
  return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 |
         std::uint32_t{b[3]} << 24;
}

// The header of the IDX file being read by `file` (its first 4 + 4 ndim bytes): the magic
// number must be `magic` (unsigned bytes; its last byte is the number of dimensions), the
// sizes within idx_max_items and idx_max_bytes, and 3-dimensional images `side` x `side`
// unless side is 0. Returns the sizes, outermost first.
std::vector<std::int64_t> read_idx_header(GzReader& file, const std::string& at,
                                          std::uint32_t magic, const char* what,
                                          std::int64_t side) {
  const std::int64_t ndim = magic & 0xff;
  std::vector<std::uint8_t> header;
  if (file.read(header, 4) < 4) {
    throw FileError(at + " is truncated: it holds " + std::to_string(header.size()) +
                    " bytes, fewer than the 4 of an IDX magic number");
  }
  const std::uint32_t found = big_endian_u32(header.data());
  if (found != magic) {
    if ((found & 0xffffff00) == 0x00000800) {  // unsigned bytes, but another dimension count
      throw FileError(at + " holds " + std::to_string(found & 0xff) +
                      "-dimensional data (magic number " + std::to_string(found) + "), expected " +
                      std::to_string(ndim) + "-dimensional " + what + " (magic number " +
                      std::to_string(magic) + ")");
    }
    throw FileError(at + " is not an IDX file of unsigned bytes: its magic number is " +
                    std::to_string(found) + ", expected " + std::to_string(magic));
  }
  const std::size_t size_bytes = static_cast<std::size_t>(4 * ndim);
  if (file.read(header, size_bytes) < size_bytes) {
    throw FileError(at + " is truncated: its header should be " + std::to_string(4 + size_bytes) +
                    " bytes, got " + std::to_string(header.size()));
  }
  std::vector<std::int64_t> sizes;
  std::string shown;  // "1000 x 28 x 28"
  for (std::int64_t i = 0; i < ndim; ++i) {
    sizes.push_back(big_endian_u32(header.data() + 4 + 4 * i));
    shown += (i == 0 ? "" : " x ") + std::to_string(sizes.back());
  }
  if (sizes[0] > idx_max_items) {
    throw FileError(at + " has implausible sizes in its header: " + std::to_string(sizes[0]) + " " +
                    what + ", more than the " + std::to_string(idx_max_items) + " a file may hold");
  }
  // NOTE: a 0 among the sizes makes the data empty, but the other sizes still multiply into
  // the tensor's shape (0, 2^32 - 1, 2^32 - 1 would overflow rows * cols), so the cap is on
  // the product of the non-zero sizes. Each factor is below 2^32 and the product so far at
  // most idx_max_bytes, so it cannot overflow 64 bits.
  std::int64_t nonzero_bytes = 1;
  for (std::int64_t size : sizes) {
    nonzero_bytes *= size == 0 ? 1 : size;
    if (nonzero_bytes > idx_max_bytes) {
      throw FileError(at + " has implausible sizes in its header: " + shown + " is more than the " +
                      std::to_string(idx_max_bytes) + " bytes of " + what + " a file may hold");
    }
  }
  if (ndim == 3 && side > 0 && (sizes[1] != side || sizes[2] != side)) {
    throw FileError(at + " holds " + std::to_string(sizes[1]) + " x " + std::to_string(sizes[2]) +
                    " " + what + ", expected " + std::to_string(side) + " x " +
                    std::to_string(side));
  }
  return sizes;
}

// Checks the header's claim against the file at `path`, before any data is read, so that a
// file claiming more than it holds costs at most 1 MiB to refuse, never its claim:
//   plain file  its size says exactly how many bytes follow the header.
//   gzip file   C compressed bytes expand to at most 1032 C (deflate's limit: a 258-byte match
//               in 2 bits; zlib's "technical details"), and the trailer's ISIZE is the length
//               mod 2^32. When ISIZE disagrees, the file is damaged, or it holds several gzip
//               members (ISIZE counts only the last one) or junk after its stream (which zlib
//               ignores): the data is then counted without being kept, and if it is exactly
//               as long as claimed, `file` is put back to the start of the data.
// Returns false if the file has no size to check (a pipe): then only the reads check it.
bool check_claim(GzReader& file, const std::string& path, const IdxClaim& claim) {
  std::error_code ec;
  const std::uint64_t file_bytes = std::filesystem::file_size(path, ec);  // C, for a gzip file
  if (ec) return false;
  const std::uint64_t claimed = claim.header_bytes + claim.data_bytes;
  if (file.plain()) {
    if (file_bytes < claimed) throw claim.truncated(file_bytes - claim.header_bytes);
    if (file_bytes > claimed) throw claim.trailing(file_bytes - claimed, true);
  } else if (claimed > 1032 * file_bytes) {
    throw FileError(claim.at + " is truncated: its header claims " +
                    std::to_string(claim.data_bytes) + " bytes of " + claim.what + ", but its " +
                    std::to_string(file_bytes) + " gzip bytes can expand to " +
                    std::to_string(1032 * file_bytes) + " at most");
  } else if (gzip_isize(path) != static_cast<std::uint32_t>(claimed)) {
    const std::uint64_t counted = claim.data_bytes + kTrailingCounted;
    const std::uint64_t got = file.skip(counted + 1);
    if (got < claim.data_bytes) throw claim.truncated(got);
    if (got > claim.data_bytes)
      throw claim.trailing(std::min(got, counted) - claim.data_bytes, got <= counted);
    file.rewind();  // several members: the data is all there
    file.skip(claim.header_bytes);
  }
  return true;
}

// Reads the whole IDX file at `path`: its header (read_idx_header), whose claim is checked
// against the file (check_claim), then the data, which must be exactly as long as the sizes
// say and followed by nothing. zlib checks every gzip member's CRC-32 and length meanwhile.
IdxData read_idx(const char* op, const std::string& path, std::uint32_t magic, const char* what,
                 std::int64_t side) {
  IdxClaim claim{std::string(op) + ": " + in_quotes(path), what};
  GzReader file(op, path);
  IdxData idx{path, read_idx_header(file, claim.at, magic, what, side), {}};
  claim.header_bytes = 4 + 4 * idx.sizes.size();
  claim.data_bytes = 1;
  for (std::int64_t size : idx.sizes) claim.data_bytes *= static_cast<std::uint64_t>(size);
  const bool checked = check_claim(file, path, claim);

  // NOTE: reserved up front, so that reading in 1 MiB steps never reallocates: a growing
  // vector would hold up to twice the file's 47 MB while it copies itself. Unless the claim
  // has been checked against the file, it is trusted only 64 MiB at a time.
  const auto data_bytes = static_cast<std::size_t>(claim.data_bytes);
  idx.bytes.reserve(checked ? data_bytes : std::min<std::size_t>(data_bytes, std::size_t{1} << 26));
  const std::size_t got = file.read(idx.bytes, data_bytes);
  if (got < data_bytes) throw claim.truncated(got);
  const std::uint64_t extra = file.skip(kTrailingCounted + 1);
  if (extra > 0) throw claim.trailing(std::min(extra, kTrailingCounted), extra <= kTrailingCounted);
  return idx;
}

// limit is -1 (keep all) or a count >= 0.
void check_limit(const char* op, std::int64_t limit) {
  if (limit < -1) {
    throw ValueError(std::string(op) + ": limit must be -1 (all) or a count >= 0, got " +
                     std::to_string(limit));
  }
}

// How many of n items a checked limit keeps.
std::int64_t kept(std::int64_t n, std::int64_t limit) {
  return limit == -1 ? n : std::min(n, limit);
}

// The first n of the file's (N, rows, cols) images as ImageBytes (n, rows * cols); takes
// the file's bytes without copying them.
ImageBytes image_bytes(IdxData&& idx, std::int64_t n) {
  const std::int64_t pixels = idx.sizes[1] * idx.sizes[2];
  idx.bytes.resize(static_cast<std::size_t>(n * pixels));
  idx.bytes.shrink_to_fit();  // a limit keeps only the first n images' bytes
  return ImageBytes(std::move(idx.bytes), n, pixels);
}

// (N,) bytes -> (n,) int64, after checking that every label of the file is a class 0..9.
Tensor labels_tensor(const char* op, const IdxData& idx, std::int64_t n) {
  for (std::size_t i = 0; i < idx.bytes.size(); ++i) {
    if (idx.bytes[i] > 9) {
      throw FileError(std::string(op) + ": " + in_quotes(idx.path) + ": label " +
                      std::to_string(idx.bytes[i]) + " at index " + std::to_string(i) +
                      " is outside the classes 0..9");
    }
  }
  Tensor labels = Tensor::empty({n}, DType::int64);
  std::copy_n(idx.bytes.begin(), n, labels.data<std::int64_t>());
  return labels;
}

// dir/name.gz, or dir/name when only the uncompressed file exists.
std::string idx_path(const std::string& dir, const std::string& name) {
  const std::filesystem::path gz = std::filesystem::path(dir) / (name + ".gz");
  const std::filesystem::path plain = std::filesystem::path(dir) / name;
  if (!std::filesystem::exists(gz) && std::filesystem::exists(plain)) {
    return plain.string();
  }
  return gz.string();
}

// load_fashion_mnist(_bytes) with `op` naming the caller in messages.
ByteImageSet load_split(const char* op, Split split, const std::string& dir, std::int64_t limit) {
  check_limit(op, limit);
  if (!std::filesystem::is_directory(dir)) {
    throw FileError(std::string(op) + ": no directory " + in_quotes(dir) +
                    " (install Debian's dataset-fashion-mnist, or set XTGRAD_FASHION_MNIST_DIR "
                    "to a directory with the four IDX files)");
  }
  const std::string prefix = split == Split::train ? "train" : "t10k";
  IdxData images =
      read_idx(op, idx_path(dir, prefix + "-images-idx3-ubyte"), kImagesMagic, "images", kSide);
  const IdxData labels =
      read_idx(op, idx_path(dir, prefix + "-labels-idx1-ubyte"), kLabelsMagic, "labels", 0);
  if (images.sizes[0] != labels.sizes[0]) {
    throw FileError(std::string(op) + ": " + in_quotes(images.path) + " holds " +
                    std::to_string(images.sizes[0]) + " images but " + in_quotes(labels.path) +
                    " holds " + std::to_string(labels.sizes[0]) + " labels");
  }
  const std::int64_t n = kept(images.sizes[0], limit);
  Tensor label_tensor = labels_tensor(op, labels, n);
  return ByteImageSet{image_bytes(std::move(images), n), std::move(label_tensor)};
}

}  // namespace

std::string default_fashion_mnist_dir() {
  const char* dir = std::getenv("XTGRAD_FASHION_MNIST_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/usr/share/datasets/fashion-mnist";
}

Tensor read_idx_images(const std::string& path, std::int64_t limit) {
  check_limit("read_idx_images", limit);
  IdxData idx = read_idx("read_idx_images", path, kImagesMagic, "images", 0);
  const std::int64_t n = kept(idx.sizes[0], limit);
  return image_bytes(std::move(idx), n).to_float();
}

Tensor read_idx_labels(const std::string& path, std::int64_t limit) {
  check_limit("read_idx_labels", limit);
  const IdxData idx = read_idx("read_idx_labels", path, kLabelsMagic, "labels", 0);
  return labels_tensor("read_idx_labels", idx, kept(idx.sizes[0], limit));
}

ImageSet load_fashion_mnist(Split split, const std::string& dir, std::int64_t limit) {
  ByteImageSet set = load_split("load_fashion_mnist", split, dir, limit);
  return ImageSet{set.images.to_float(), std::move(set.labels)};
}

ByteImageSet load_fashion_mnist_bytes(Split split, const std::string& dir, std::int64_t limit) {
  return load_split("load_fashion_mnist_bytes", split, dir, limit);
}

}  // namespace xtgrad::data
