// Reading Fashion-MNIST's IDX files with zlib (gzread reads gzipped and plain files alike).
//
// A file is read completely and checked before anything is converted: the header, the
// number of data bytes the header promises, and that nothing follows them. Pixels become
// float32 pixel / 255, labels int64.
#include "data/fashion_mnist.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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
      const int r = gzread(file_, out.data() + old_size, static_cast<unsigned>(want));
      if (r < 0) {
        int code = Z_OK;
        const std::string message = zlib_message(&code);
        throw FileError(op_ + ": cannot read " + in_quotes(path_) + ": " +
                        (code == Z_ERRNO ? std::strerror(errno) : message));
      }
      out.resize(old_size + static_cast<std::size_t>(r));
      got += static_cast<std::size_t>(r);
      if (r == 0) {  // end of the file; zlib flags a gzip stream that stops mid-way
        int code = Z_OK;
        const std::string message = zlib_message(&code);
        if (code == Z_BUF_ERROR) {
          throw FileError(op_ + ": cannot read " + in_quotes(path_) + ": " + message +
                          " (the gzip data is cut short)");
        }
        break;
      }
    }
    return got;
  }

 private:
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

// Reads the whole IDX file at `path`, which must have the magic number `magic` (unsigned
// bytes; its last byte is the number of dimensions): the header must be complete, the data
// exactly as long as the sizes say, and nothing may follow it. `what` names the content in
// messages ("images").
IdxData read_idx(const char* op, const std::string& path, std::uint32_t magic, const char* what) {
  const std::string at = std::string(op) + ": " + in_quotes(path);
  const std::int64_t ndim = magic & 0xff;
  const std::int64_t header_bytes = 4 + 4 * ndim;
  GzReader file(op, path);
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
    throw FileError(at + " is truncated: its header should be " + std::to_string(header_bytes) +
                    " bytes, got " + std::to_string(header.size()));
  }
  IdxData idx{path, {}, {}};
  // Three sizes below 2^32 could overflow 64 bits; no real file comes near 2^40 bytes.
  // NOTE: a 0 among the sizes makes the data empty, but the other sizes still multiply into
  // the tensor's shape (0, 2^32 - 1, 2^32 - 1 would overflow rows * cols), so the bound is on
  // the product of the non-zero sizes.
  std::int64_t nonzero_bytes = 1;
  bool empty = false;
  for (std::int64_t i = 0; i < ndim; ++i) {
    const std::int64_t size = big_endian_u32(header.data() + 4 + 4 * i);
    idx.sizes.push_back(size);
    empty = empty || size == 0;
    if (size != 0 && nonzero_bytes > (std::int64_t{1} << 40) / size) {
      throw FileError(at + " has implausible sizes in its header (more than 2^40 bytes of " +
                      what + ")");
    }
    nonzero_bytes *= size == 0 ? 1 : size;
  }
  const std::int64_t data_bytes = empty ? 0 : nonzero_bytes;

  // NOTE: reserved up front, so that reading in 1 MiB steps never reallocates: a growing
  // vector would hold up to twice the file's 47 MB while it copies itself. At most 64 MiB,
  // though: the header's sizes are only a claim (up to 2^40 bytes passes the check above), and
  // a damaged file must end as "truncated", not as an attempt to set a terabyte aside.
  idx.bytes.reserve(static_cast<std::size_t>(std::min<std::int64_t>(data_bytes, std::int64_t{1} << 26)));
  const std::size_t got = file.read(idx.bytes, static_cast<std::size_t>(data_bytes));
  if (got < static_cast<std::size_t>(data_bytes)) {
    throw FileError(at + " is truncated: expected " + std::to_string(data_bytes) +
                    " bytes of " + what + " after the " + std::to_string(header_bytes) +
                    "-byte header, got " + std::to_string(got));
  }
  std::vector<std::uint8_t> rest;
  const std::size_t extra = file.read(rest, std::size_t{1} << 30);
  if (extra > 0) {
    throw FileError(at + " has " + std::to_string(extra) + " unexpected bytes after its " +
                    std::to_string(data_bytes) + " bytes of " + what);
  }
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
  IdxData images = read_idx(op, idx_path(dir, prefix + "-images-idx3-ubyte"),
                            kImagesMagic, "images");
  const IdxData labels = read_idx(op, idx_path(dir, prefix + "-labels-idx1-ubyte"),
                                  kLabelsMagic, "labels");

  if (images.sizes[1] != kSide || images.sizes[2] != kSide) {
    throw FileError(std::string(op) + ": " + in_quotes(images.path) + " holds " +
                    std::to_string(images.sizes[1]) + " x " + std::to_string(images.sizes[2]) +
                    " images, expected 28 x 28");
  }
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
  IdxData idx = read_idx("read_idx_images", path, kImagesMagic, "images");
  const std::int64_t n = kept(idx.sizes[0], limit);
  return image_bytes(std::move(idx), n).to_float();
}

Tensor read_idx_labels(const std::string& path, std::int64_t limit) {
  check_limit("read_idx_labels", limit);
  const IdxData idx = read_idx("read_idx_labels", path, kLabelsMagic, "labels");
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
