#pragma once
// DimVector: the list of int64 that a Shape or a list of Axes is, kept inside the object for
// up to 6 values and on the heap only beyond (like PyTorch's DimVector, LLVM's SmallVector).
//
// It reads like a std::vector<std::int64_t> (it has its constructors, size, [], begin and end,
// push_back, insert and erase), so code written for one reads the same with the other.
//
// NOTE: why not std::vector. A Tensor holds its shape by value, and a Tensor is copied at
// every op (an op's output, what a node saves for backward, each input's metadata). With
// std::vector every copy is a heap allocation (bench/README.md, attempt 6, measures what they
// cost). Tensors of more than 6 axes still work; their shapes live on the heap.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <type_traits>
#include <vector>

namespace xtgrad {

class DimVector {
 public:
  using value_type = std::int64_t;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = std::int64_t&;
  using const_reference = const std::int64_t&;
  using pointer = std::int64_t*;
  using const_pointer = const std::int64_t*;
  using iterator = std::int64_t*;
  using const_iterator = const std::int64_t*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  static constexpr std::size_t inline_capacity = 6;

  DimVector() noexcept = default;
  // n copies of value: DimVector(3) is (0, 0, 0), as for std::vector.
  explicit DimVector(std::size_t n, std::int64_t value = 0) { assign(n, value); }
  DimVector(std::initializer_list<std::int64_t> values) { assign(values.begin(), values.end()); }
  template <class It, class = typename std::iterator_traits<It>::iterator_category>
  DimVector(It first, It last) {
    assign(first, last);
  }
  // From (and to) the std::vector that shapes used to be, for code written against it.
  DimVector(const std::vector<std::int64_t>& values) {
    assign(values.begin(), values.end());
  }  // NOLINT(google-explicit-constructor)
  explicit operator std::vector<std::int64_t>() const { return {begin(), end()}; }

  DimVector(const DimVector& other) { copy_from(other); }
  DimVector(DimVector&& other) noexcept { take(other); }
  DimVector& operator=(const DimVector& other) {
    if (this != &other) copy_from(other);
    return *this;
  }
  DimVector& operator=(DimVector&& other) noexcept {
    if (this != &other) {
      free_heap();
      take(other);
    }
    return *this;
  }
  DimVector& operator=(std::initializer_list<std::int64_t> values) {
    assign(values.begin(), values.end());
    return *this;
  }
  ~DimVector() { free_heap(); }

  // --- reading -----------------------------------------------------------------------------
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t capacity() const noexcept { return capacity_; }
  std::int64_t* data() noexcept { return data_; }
  const std::int64_t* data() const noexcept { return data_; }
  std::int64_t& operator[](std::size_t i) noexcept { return data_[i]; }
  const std::int64_t& operator[](std::size_t i) const noexcept { return data_[i]; }
  std::int64_t& front() noexcept { return data_[0]; }
  const std::int64_t& front() const noexcept { return data_[0]; }
  std::int64_t& back() noexcept { return data_[size_ - 1]; }
  const std::int64_t& back() const noexcept { return data_[size_ - 1]; }

  iterator begin() noexcept { return data_; }
  iterator end() noexcept { return data_ + size_; }
  const_iterator begin() const noexcept { return data_; }
  const_iterator end() const noexcept { return data_ + size_; }
  const_iterator cbegin() const noexcept { return data_; }
  const_iterator cend() const noexcept { return data_ + size_; }
  reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
  reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }

  // --- changing ----------------------------------------------------------------------------
  void clear() noexcept { size_ = 0; }
  void reserve(std::size_t n) {
    if (n > capacity_) grow(n);
  }
  void resize(std::size_t n, std::int64_t value = 0) {
    reserve(n);
    for (std::size_t i = size_; i < n; ++i) data_[i] = value;
    size_ = n;
  }
  void assign(std::size_t n, std::int64_t value) {
    size_ = 0;
    resize(n, value);
  }
  template <class It>
  void assign(It first, It last) {
    size_ = 0;
    if constexpr (std::is_base_of_v<std::forward_iterator_tag,
                                    typename std::iterator_traits<It>::iterator_category>) {
      reserve(static_cast<std::size_t>(std::distance(first, last)));
    }
    for (; first != last; ++first) push_back(static_cast<std::int64_t>(*first));
  }
  void push_back(std::int64_t value) {
    if (size_ == capacity_) grow(2 * capacity_);
    data_[size_++] = value;
  }
  void emplace_back(std::int64_t value) { push_back(value); }
  void pop_back() noexcept { --size_; }
  // Inserts value before pos; returns an iterator to it.
  iterator insert(const_iterator pos, std::int64_t value) {
    const auto at = static_cast<std::size_t>(pos - data_);
    push_back(value);  // may move the elements: positions are kept as indices
    std::rotate(data_ + at, data_ + size_ - 1, data_ + size_);
    return data_ + at;
  }
  template <class It>
  iterator insert(const_iterator pos, It first, It last) {
    const auto at = static_cast<std::size_t>(pos - data_);
    const std::size_t old_size = size_;
    for (; first != last; ++first) push_back(static_cast<std::int64_t>(*first));
    std::rotate(data_ + at, data_ + old_size, data_ + size_);
    return data_ + at;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    auto* to = data_ + (first - data_);
    auto* from = data_ + (last - data_);
    std::copy(from, end(), to);
    size_ -= static_cast<std::size_t>(from - to);
    return to;
  }

  friend bool operator==(const DimVector& a, const DimVector& b) noexcept {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }
  friend bool operator!=(const DimVector& a, const DimVector& b) noexcept { return !(a == b); }
  friend bool operator<(const DimVector& a, const DimVector& b) noexcept {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  bool on_heap() const noexcept { return data_ != inline_; }
  void free_heap() noexcept {
    if (on_heap()) delete[] data_;
  }
  // Makes room for at least n values, keeping the ones held.
  void grow(std::size_t n) {
    n = std::max<std::size_t>(n, inline_capacity);
    if (n <= capacity_) return;
    auto* bigger = new std::int64_t[n];
    std::copy(begin(), end(), bigger);
    free_heap();
    data_ = bigger;
    capacity_ = n;
  }
  // Copies other's values. (The common case, a shape held inline copied into an object that is
  // not on the heap, copies the whole inline array: a few fixed-size moves, no loop.)
  void copy_from(const DimVector& other) {
    if (!other.on_heap() && !on_heap()) {
      std::memcpy(inline_, other.inline_, sizeof inline_);
    } else {
      if (other.size_ > capacity_) grow(other.size_);
      std::copy(other.begin(), other.end(), data_);
    }
    size_ = other.size_;
  }
  // Takes other's values (stealing its heap block, if any) and leaves it empty.
  void take(DimVector& other) noexcept {
    if (other.on_heap()) {
      data_ = other.data_;
      capacity_ = other.capacity_;
    } else {
      data_ = inline_;
      capacity_ = inline_capacity;
      std::memcpy(inline_, other.inline_, sizeof inline_);
    }
    size_ = other.size_;
    other.data_ = other.inline_;
    other.capacity_ = inline_capacity;
    other.size_ = 0;
  }

  std::int64_t* data_ = inline_;
  std::size_t size_ = 0;
  std::size_t capacity_ = inline_capacity;
  std::int64_t inline_[inline_capacity] = {};
};

}  // namespace xtgrad
