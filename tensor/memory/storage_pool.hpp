#pragma once
// The storage pool: where Tensor::empty and the tape (autograd/tape_memory.hpp) get their
// memory. Freed blocks are kept in a cache, by size class, and handed out again to the next
// request of that class. A training loop frees and allocates the same sizes at every step, so
// after its first steps it takes no memory from the system, and touches no page it has not
// touched before: glibc's malloc gives large blocks back to the system when they are freed,
// and every step would then pay page faults to fault them in again. Why this design and not
// glibc's tunables, jemalloc or a pool for large buffers only: bench/README.md, "The storage
// pool, decided by measurement".
//
// Thread-safe. The cache holds at most cache_limit() bytes, in blocks of at most an eighth of
// it; a freed block that does not fit goes back to the system. Under AddressSanitizer the pool
// is off: every block comes from and goes back to the system, so that ASan still reports a use
// after free. How it works inside (size classes, a cache per thread): storage_pool.cpp.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>

namespace xtgrad::storage_pool {

// A block of at least `bytes` bytes, aligned to 64 bytes (AVX-512 loads); nullptr when the
// system has no memory left.
void* allocate(std::size_t bytes);
// Gives back a block from allocate(bytes), with the same `bytes`.
void deallocate(void* block, std::size_t bytes) noexcept;

// False under AddressSanitizer: then every block comes from the system.
bool enabled() noexcept;

struct Stats {
  std::uint64_t from_system = 0;   // blocks allocate() took from the system allocator
  std::uint64_t from_cache = 0;    // blocks allocate() reused from the cache
  std::uint64_t cached_bytes = 0;  // bytes of free blocks held in the cache now
};
// Counters since the start of the program (for tests and benchmarks).
Stats stats() noexcept;

// The most bytes the cache may hold (default 256 MiB); lowering it frees what no longer fits.
std::size_t cache_limit() noexcept;
void set_cache_limit(std::size_t bytes);
// Gives every cached block back to the system (e.g. after training, before evaluation).
void release_cache() noexcept;

// The pool as a standard allocator (for containers and std::allocate_shared).
template <class T>
struct Allocator {
  using value_type = T;
  Allocator() = default;
  template <class U>
  Allocator(const Allocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) {
    void* block = storage_pool::allocate(n * sizeof(T));
    if (block == nullptr) throw std::bad_alloc();
    return static_cast<T*>(block);
  }
  void deallocate(T* p, std::size_t n) noexcept { storage_pool::deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const Allocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const Allocator<U>&) const noexcept {
    return false;
  }
};

// std::make_shared with the object and its reference count in one block from the pool: for
// what a training step makes and frees as often as buffers (the Storage behind a Tensor).
template <class T, class... Args>
std::shared_ptr<T> make_shared(Args&&... args) {
  return std::allocate_shared<T>(Allocator<T>(), std::forward<Args>(args)...);
}

}  // namespace xtgrad::storage_pool
