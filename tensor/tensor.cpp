// Tensor: storage, views, conversion and element access.
// No xtensor here: these are plain loops over contiguous memory.
#include "tensor/tensor.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <new>
#include <string>

#include "tensor/memory/storage_pool.hpp"

// The start-up check that this CPU has the instruction-set level xtgrad was compiled for
// (cpu_check.cpp). This reference makes every program that uses a Tensor link it.
extern "C" void xtgrad_cpu_check();
[[gnu::used]] static void (*const cpu_check_anchor)() = &xtgrad_cpu_check;

namespace xtgrad {

// The block of memory behind one or more tensors. Views (reshape, rows) share it.
// The buffer comes from the storage pool (memory/storage_pool.hpp), 64-byte aligned for AVX-512
// loads.
struct Storage {
  DType dtype;
  std::int64_t numel;
  std::size_t bytes;
  void* data;
  std::uint64_t version = 0;  // bumped by every in-place update
  // NOTE: a tensor of at most 64 bytes keeps its elements here, in the Storage's own block,
  // rather than in a second block from the pool. On the tape's chains of scalar ops every
  // tensor is that small, and each op makes three of them (bench/README.md, attempt 6). Not
  // under AddressSanitizer, so that it still sees a read past the end of a small tensor.
  alignas(64) unsigned char small[64];

  // Callers check that numel * dtype_size(dtype) fits (Tensor::empty).
  Storage(DType dtype_, std::int64_t numel_)
      : dtype(dtype_),
        numel(numel_),
        bytes(static_cast<std::size_t>(numel) * dtype_size(dtype)),
        data(bytes <= sizeof small && storage_pool::enabled() ? small
                                                              : storage_pool::allocate(bytes)) {}
  ~Storage() {
    if (data != small) storage_pool::deallocate(data, bytes);
  }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

namespace {

template <class T>
Tensor from_values(const std::vector<T>& values, Shape shape) {
  check_shape("tensor", shape);
  if (static_cast<std::int64_t>(values.size()) != shape_numel(shape)) {
    throw ShapeError("tensor: " + std::to_string(values.size()) + " values do not fill shape " +
                     shape_str(shape) + " (" + std::to_string(shape_numel(shape)) + " elements)");
  }
  Tensor t = Tensor::empty(shape, dtype_of<T>());
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}

// Calls f(T{}) for t's element type (bool included).
template <class F>
void for_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::float32:
      f(float{});
      break;
    case DType::float64:
      f(double{});
      break;
    case DType::int64:
      f(std::int64_t{});
      break;
    case DType::boolean:
      f(bool{});
      break;
  }
}

}  // namespace

Tensor::Tensor(std::shared_ptr<Storage> storage, std::int64_t offset, Shape shape)
    : Tensor(std::move(storage), offset, std::move(shape), -1) {}

Tensor::Tensor(std::shared_ptr<Storage> storage, std::int64_t offset, Shape shape,
               std::int64_t numel)
    : storage_(std::move(storage)),
      offset_(offset),
      shape_(std::move(shape)),
      numel_(numel >= 0 ? numel : shape_numel(shape_)),
      dtype_(storage_->dtype),
      data_(static_cast<char*>(storage_->data) +
            static_cast<std::size_t>(offset_) * dtype_size(dtype_)) {}

Tensor::Tensor(const std::vector<float>& values, Shape shape)
    : Tensor(from_values(values, std::move(shape))) {}
Tensor::Tensor(const std::vector<double>& values, Shape shape)
    : Tensor(from_values(values, std::move(shape))) {}
Tensor::Tensor(const std::vector<std::int64_t>& values, Shape shape)
    : Tensor(from_values(values, std::move(shape))) {}

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  const std::int64_t numel = check_shape("empty", shape);
  // At most 2^62 bytes: far beyond any memory, and (bytes + 63) cannot overflow.
  const double gigabytes =
      static_cast<double>(numel) * static_cast<double>(dtype_size(dtype)) / 1e9;
  const bool too_large =
      numel > (std::int64_t{1} << 62) / static_cast<std::int64_t>(dtype_size(dtype));
  auto storage = too_large ? nullptr : storage_pool::make_shared<Storage>(dtype, numel);
  if (storage == nullptr || storage->data == nullptr) {
    char size[32];
    std::snprintf(size, sizeof size, "%.3g GB", gigabytes);
    throw MemoryError("empty: cannot allocate " + std::string(size) + " for a " +
                      dtype_name(dtype) + " tensor of shape " + shape_str(shape));
  }
  return Tensor(std::move(storage), 0, shape, numel);
}

void check_floating(const char* op, const Tensor& t) {
  check_defined(op, t);
  if (!is_floating(t.dtype())) {
    throw DTypeError(std::string(op) + ": expected a float32 or float64 tensor, got " +
                     dtype_name(t.dtype()) + " (convert with .to(DType::float32))");
  }
}

void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  check_defined(op, a);
  check_defined(op, b);
  if (a.dtype() != b.dtype()) {
    throw DTypeError(std::string(op) + ": dtypes differ: " + dtype_name(a.dtype()) + " " +
                     shape_str(a.shape()) + " and " + dtype_name(b.dtype()) + " " +
                     shape_str(b.shape()) + " (convert one with .to())");
  }
}

std::int64_t Tensor::size(std::int64_t axis) const {
  return shape_[normalize_axis("size", axis, dim())];
}

void detail::throw_undefined(const char* op) {
  throw ValueError(std::string(op) + ": the tensor is undefined (default-constructed)");
}

void Tensor::throw_wrong_dtype(DType expected) const {
  throw DTypeError("data: the tensor holds " + dtype_name(dtype_) + " elements, not " +
                   dtype_name(expected));
}

Tensor Tensor::to(DType target) const {
  check_defined("to", *this);
  if (target == dtype()) {
    return *this;
  }
  Tensor out = empty(shape_, target);
  const std::size_t n = static_cast<std::size_t>(numel());
  for_dtype(dtype(), [&](auto from) {
    using From = decltype(from);
    const From* src = data<From>();
    for_dtype(target, [&](auto to) {
      using To = decltype(to);
      To* dst = out.data<To>();
      for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<To>(src[i]);
    });
  });
  return out;
}

Tensor Tensor::clone() const {
  check_defined("clone", *this);
  Tensor out = empty(shape_, dtype());
  std::memcpy(out.raw_data(dtype()), raw_data(dtype()),
              static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  return out;
}

Tensor Tensor::reshape(const Shape& shape) const {
  check_defined("reshape", *this);
  Shape target = shape;
  std::int64_t known = 1;
  int inferred = -1;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1 && inferred < 0) {
      inferred = static_cast<int>(i);
    } else if (target[i] < 0) {
      throw ShapeError("reshape: invalid target shape " + shape_str(shape) +
                       " (only one size may be -1, and none other negative)");
    } else {
      known *= target[i];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || numel() % known != 0) {
      throw ShapeError("reshape: cannot reshape " + shape_str(shape_) + " (" +
                       std::to_string(numel()) + " elements) into " + shape_str(shape));
    }
    target[static_cast<std::size_t>(inferred)] = numel() / known;
  }
  if (shape_numel(target) != numel()) {
    throw ShapeError("reshape: cannot reshape " + shape_str(shape_) + " (" +
                     std::to_string(numel()) + " elements) into " + shape_str(shape) + " (" +
                     std::to_string(shape_numel(target)) + " elements)");
  }
  return Tensor(storage_, offset_, target);
}

Tensor Tensor::flatten() const { return reshape({-1}); }

Tensor Tensor::unsqueeze(std::int64_t axis) const {
  check_defined("unsqueeze", *this);
  Shape s = shape_;
  s.insert(s.begin() + normalize_axis("unsqueeze", axis, dim() + 1), 1);
  return Tensor(storage_, offset_, s);
}

Tensor Tensor::squeeze(std::int64_t axis) const {
  check_defined("squeeze", *this);
  const std::int64_t a = normalize_axis("squeeze", axis, dim());
  if (shape_[static_cast<std::size_t>(a)] != 1) {
    throw ShapeError("squeeze: axis " + std::to_string(axis) + " of shape " + shape_str(shape_) +
                     " has size " + std::to_string(shape_[static_cast<std::size_t>(a)]) +
                     ", not 1");
  }
  Shape s = shape_;
  s.erase(s.begin() + a);
  return Tensor(storage_, offset_, s);
}

Tensor Tensor::rows(std::int64_t begin, std::int64_t end) const {
  check_defined("rows", *this);
  if (dim() == 0) {
    throw ShapeError("rows: a 0-d tensor has no rows");
  }
  if (begin < 0 || end < begin || end > shape_[0]) {
    throw IndexError("rows: range [" + std::to_string(begin) + ", " + std::to_string(end) +
                     ") is out of bounds for shape " + shape_str(shape_));
  }
  Shape s = shape_;
  s[0] = end - begin;
  const std::int64_t row_size = shape_[0] == 0 ? 0 : numel() / shape_[0];
  return Tensor(storage_, offset_ + begin * row_size, s);
}

double Tensor::item() const {
  check_defined("item", *this);
  if (numel() != 1) {
    throw ValueError("item: only a one-element tensor has an item; this one has shape " +
                     shape_str(shape_));
  }
  double value = 0;
  for_dtype(dtype(), [&](auto tag) { value = static_cast<double>(*data<decltype(tag)>()); });
  return value;
}

double Tensor::at(const std::vector<std::int64_t>& index) const {
  check_defined("at", *this);
  if (static_cast<std::int64_t>(index.size()) != dim()) {
    throw IndexError("at: a tensor of shape " + shape_str(shape_) + " needs " +
                     std::to_string(dim()) + " indices, got " + std::to_string(index.size()));
  }
  std::int64_t flat = 0;
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (index[i] < 0 || index[i] >= shape_[i]) {
      throw IndexError("at: index " + shape_str(index) + " is out of bounds for shape " +
                       shape_str(shape_));
    }
    flat = flat * shape_[i] + index[i];
  }
  double value = 0;
  for_dtype(dtype(), [&](auto tag) { value = static_cast<double>(data<decltype(tag)>()[flat]); });
  return value;
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  Tensor converted = to(dtype_of<T>());
  const T* p = converted.data<T>();
  return std::vector<T>(p, p + numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<std::int64_t> Tensor::to_vector<std::int64_t>() const;

Tensor& Tensor::fill_(double value) {
  check_defined("fill_", *this);
  const std::size_t n = static_cast<std::size_t>(numel());
  for_dtype(dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::fill_n(data<T>(), n, static_cast<T>(value));
  });
  bump_version();
  return *this;
}

std::uint64_t Tensor::version() const {
  check_defined("version", *this);
  return storage_->version;
}

void Tensor::bump_version() {
  check_defined("bump_version", *this);
  ++storage_->version;
}

}  // namespace xtgrad
