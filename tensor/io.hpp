#pragma once
// Printing tensors, and reading and writing NumPy's .npy files.
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

}  // namespace xtgrad
