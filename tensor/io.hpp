#pragma once
// Printing tensors, and reading and writing NumPy's .npy files.
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>

#include "tensor/tensor.hpp"

namespace xtgrad {

// PyTorch-style text: "tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]])", with the
// dtype added when it is not float32. Tensors over 1000 elements are summarised with "...".
std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::string to_string(const Tensor& t);

// .npy (format version 1.0, little-endian, C order): NumPy's np.save and np.load read and
// write the same bytes. Supported dtypes: <f4, <f8, <i8, |b1.
// save_npy writes a temporary file and renames it, so an interrupted save never leaves a
// half-written file. Errors are FileError naming the path and what is wrong.
void save_npy(const std::string& path, const Tensor& t);
Tensor load_npy(const std::string& path);

// The same format in memory (the members of an .npz archive are .npy bytes).
// `name` is used in error messages.
std::string to_npy_bytes(const Tensor& t);
Tensor from_npy_bytes(const std::string& bytes, const std::string& name = "<memory>");

// What an .npy header says, read before any data: a reader can refuse an array by its shape
// and dtype before it allocates or decompresses the data (nn/checkpoint.cpp does, per member).
struct NpyHeader {
  DType dtype = DType::float32;
  Shape shape;
  std::size_t header_bytes = 0;  // magic, version, length and dict: the data starts here
  std::size_t data_bytes = 0;    // numel * itemsize
};
// The longest header read: a dict of at most 65535 bytes, as in format version 1.0 (NumPy
// writes 2.0 only for longer dicts, which only structured dtypes need, and xtgrad has none).
inline constexpr std::size_t npy_max_header_bytes = 12 + 65535;
// Reads an .npy header through read(dst, n), which copies up to n bytes to dst and returns how
// many it copied; reads exactly header_bytes (at most npy_max_header_bytes). FileError names
// `name` and the problem, as from_npy_bytes does.
NpyHeader read_npy_header(const std::function<std::size_t(char*, std::size_t)>& read,
                          const std::string& name);

}  // namespace xtgrad
