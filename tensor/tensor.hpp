#pragma once
// Tensor: an n-dimensional array of numbers with a runtime dtype.
//
// A Tensor is a small handle to a shared block of memory (its storage), like a PyTorch tensor
// or a NumPy array: copying a Tensor is cheap and the copy sees the same numbers. clone()
// makes an independent copy.
//
//   Tensor x = zeros({2, 3});      // float32, shape (2, 3)
//   Tensor y = x;                  // same storage as x
//   y.fill_(1);                    // x now holds ones too
//   Tensor z = x.clone();          // its own storage
//
// Elements are always stored contiguously in row-major (C) order, so every kernel can walk
// them with a plain pointer. Views that keep this property share storage with their source:
// reshape() and rows(). Operations that would need strides (transpose, permute) copy.
//
// Every in-place change (the methods ending in '_') increases the storage's version(). The
// autograd tape uses it to detect a tensor that was modified after being saved for backward.
//
// Math lives in free functions: see math.hpp, reduce.hpp, linalg.hpp, manipulation.hpp,
// creation.hpp, random.hpp and io.hpp (or include all.hpp).
#include <cstdint>
#include <memory>
#include <vector>

#include "tensor/dtype.hpp"
#include "tensor/errors.hpp"
#include "tensor/shape.hpp"

namespace xtgrad {

struct Storage;  // the shared buffer; defined in tensor.cpp

namespace detail {
// ValueError "<op>: the tensor is undefined (default-constructed)".
[[noreturn]] void throw_undefined(const char* op);
}  // namespace detail

class Tensor {
 public:
  // An undefined tensor: it holds no storage and every operation on it throws ValueError.
  // (Used for "no gradient yet", as in PyTorch.)
  Tensor() = default;

  // Copies `values` into a new tensor; their count must match the shape (ShapeError).
  Tensor(const std::vector<float>& values, Shape shape);
  Tensor(const std::vector<double>& values, Shape shape);
  Tensor(const std::vector<std::int64_t>& values, Shape shape);

  // A tensor of the given shape whose elements are not initialised: kernels allocate their
  // results with it and then write every element.
  static Tensor empty(const Shape& shape, DType dtype = DType::float32);

  bool defined() const noexcept { return storage_ != nullptr; }
  DType dtype() const {
    if (!defined()) detail::throw_undefined("dtype");
    return dtype_;
  }
  const Shape& shape() const noexcept { return shape_; }
  std::int64_t dim() const noexcept { return static_cast<std::int64_t>(shape_.size()); }
  std::int64_t numel() const noexcept { return numel_; }
  // Size of one axis; negative axes count from the end.
  std::int64_t size(std::int64_t axis) const;

  // --- conversion and copies --------------------------------------------------------------
  // The same values in another dtype: a new tensor, or *this if the dtype already matches.
  // float -> int64 truncates toward zero; anything -> bool is (x != 0).
  Tensor to(DType dtype) const;
  // An independent copy: same values, new storage.
  Tensor clone() const;

  // --- views (share storage with *this) ---------------------------------------------------
  // The same elements seen with another shape; one size may be -1 (inferred).
  //   x.reshape({-1, 784})  // (N, 28, 28) -> (N, 784)
  Tensor reshape(const Shape& shape) const;
  // All elements as one axis: (numel,).
  Tensor flatten() const;
  // Inserts an axis of size 1 at `axis`: (3,) -> unsqueeze(0) -> (1, 3).
  Tensor unsqueeze(std::int64_t axis) const;
  // Removes an axis of size 1 (ShapeError if its size is not 1).
  Tensor squeeze(std::int64_t axis) const;
  // Rows [begin, end) along axis 0, without copying: x.rows(0, 128) is the first batch.
  Tensor rows(std::int64_t begin, std::int64_t end) const;

  // --- axis reordering (copies) -------------------------------------------------------------
  // Swaps two axes; with no arguments, the transpose of a 2-D tensor.
  Tensor transpose() const;
  Tensor transpose(std::int64_t axis0, std::int64_t axis1) const;
  // Reorders all axes: result.shape()[i] == shape()[axes[i]].
  Tensor permute(const Axes& axes) const;

  // --- element access -------------------------------------------------------------------------
  // The value of a one-element tensor, as double (ValueError otherwise).
  double item() const;
  // The element at a full index, as double: x.at({1, 2}). IndexError when out of range.
  double at(const std::vector<std::int64_t>& index) const;
  // Pointer to the first element; T must match dtype() (DTypeError otherwise).
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  // The elements in row-major order, converted to T.
  template <class T>
  std::vector<T> to_vector() const;

  // --- in-place updates (each one increments version()) ---------------------------------------
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  // Copies src's values in; src must broadcast to shape() and have the same dtype.
  Tensor& copy_(const Tensor& src);
  // *this += alpha * other (other broadcasts to shape()): the SGD step w.add_(grad, -lr).
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  // *this *= other (broadcasts to shape()), or *this *= scalar.
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double scalar);

  // How many in-place updates the storage has seen (shared by all views of it).
  std::uint64_t version() const;
  // Marks the storage as modified; for code that writes through data<T>() directly.
  void bump_version();
  // True when both tensors are views of the same storage.
  bool shares_storage(const Tensor& other) const noexcept { return storage_ == other.storage_; }
  // True when no other Tensor (copy or view) refers to this one's storage, so that an in-place
  // change cannot be seen elsewhere (the engine then keeps a gradient instead of copying it).
  bool sole_owner() const noexcept { return storage_ != nullptr && storage_.use_count() == 1; }

 private:
  Tensor(std::shared_ptr<Storage> storage, std::int64_t offset, Shape shape);
  Tensor(std::shared_ptr<Storage> storage, std::int64_t offset, Shape shape,
         std::int64_t numel);  // numel known
  // Checks definedness and dtype. (Inline: kernels ask for data at every op; the throws are out of line.)
  void* raw_data(DType expected) const {
    if (!defined()) detail::throw_undefined("data");
    if (dtype_ != expected) throw_wrong_dtype(expected);
    return data_;
  }
  [[noreturn]] void throw_wrong_dtype(DType expected) const;

  std::shared_ptr<Storage> storage_;
  std::int64_t offset_ = 0;  // in elements, from the start of the storage
  Shape shape_;
  // Kept from the storage and the shape, since every kernel asks for them:
  std::int64_t numel_ = 1;        // shape_numel(shape_)
  DType dtype_ = DType::float32;  // the storage's dtype
  void* data_ = nullptr;          // the first element: the storage's data + offset_
};

template <class T>
T* Tensor::data() {
  return static_cast<T*>(raw_data(dtype_of<T>()));
}

template <class T>
const T* Tensor::data() const {
  return static_cast<const T*>(raw_data(dtype_of<T>()));
}

// Throws ValueError naming `op` when `t` is undefined.
inline void check_defined(const char* op, const Tensor& t) {
  if (!t.defined()) detail::throw_undefined(op);
}
// Throws DTypeError naming `op` unless t is float32 or float64.
void check_floating(const char* op, const Tensor& t);
// Throws DTypeError naming `op` and both dtypes unless they match.
void check_same_dtype(const char* op, const Tensor& a, const Tensor& b);

}  // namespace xtgrad
