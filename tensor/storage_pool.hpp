#pragma once
// The storage pool: where Tensor::empty gets its memory. Freed tensor buffers are kept in a
// cache, by size class, and handed out again to the next request of that class, so that a
// training loop, which frees and allocates the same sizes at every step, stops asking the
// system allocator for memory after its first steps. The tape's Variables and Nodes, made and
// freed at every op, come from it too (make_shared below).
//
// NOTE: why a pool. A training step allocates and frees buffers of up to a few MB. glibc serves
// those with mmap and gives them back to the system when freed (its mmap threshold, 128 KiB to
// 32 MiB), so every step faults the same pages in again: a perf profile of a training step
// showed about 10 % of its time in page faults on fresh tensor buffers. Measured on fit() of a
// 784-392-784 autoencoder (Adam, batches of 8): 600 to 1,800 minor page faults per step without
// the pool, 0 with it.
//
// Size classes: up to 256 bytes, multiples of 64; above, four classes per power of two
// (1.25, 1.5, 1.75 and 2 times 2^k), so a block is at most 25 % larger than asked for.
// The cache holds at most cache_limit() bytes, in blocks of at most an eighth of it; a freed
// block that does not fit goes back to the system. Thread-safe: blocks of up to 1 KiB are
// first kept by the thread that frees them (up to 1 MiB per thread, or a sixteenth of the
// limit, without a lock), the rest in lists shared under one mutex. A thread's own blocks count
// in cached_bytes and, with the shared lists, against the limit when that thread frees a block;
// they join the shared lists when it ends. Under AddressSanitizer the pool is off, every block comes from and goes
// back to the system, so that ASan still reports a use after free.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace xtgrad::storage_pool {

// A block of at least `bytes` bytes, aligned to 64 bytes (AVX-512 loads); nullptr when the
// system has no memory left.
void* allocate(std::size_t bytes);
// Gives back a block from allocate(bytes), with the same `bytes`.
void deallocate(void* block, std::size_t bytes) noexcept;

// False under AddressSanitizer: then every block comes from the system.
bool enabled() noexcept;

struct Stats {
  std::uint64_t from_system = 0;  // blocks allocate() took from the system allocator
  std::uint64_t from_cache = 0;   // blocks allocate() reused from the cache
  std::uint64_t cached_bytes = 0; // bytes of free blocks held in the cache now
};
// Counters since the start of the program (for tests and benchmarks).
Stats stats() noexcept;

// The most bytes the cache may hold (default 256 MiB); lowering it frees what no longer fits.
std::size_t cache_limit() noexcept;
void set_cache_limit(std::size_t bytes);
// Gives every cached block back to the system (e.g. after loading a data set, before training).
void release_cache() noexcept;

// The pool as a standard allocator (for std::allocate_shared).
template <class T> struct Allocator {
  using value_type = T;
  Allocator() = default;
  template <class U> Allocator(const Allocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) {
    void* block = storage_pool::allocate(n * sizeof(T));
    if (block == nullptr) throw std::bad_alloc();
    return static_cast<T*>(block);
  }
  void deallocate(T* p, std::size_t n) noexcept { storage_pool::deallocate(p, n * sizeof(T)); }
  template <class U> bool operator==(const Allocator<U>&) const noexcept { return true; }
  template <class U> bool operator!=(const Allocator<U>&) const noexcept { return false; }
};

// A std::vector whose elements live in the pool: for the small lists the tape makes at every
// op (a node's edges, what it saved, the gradients its backward returns).
template <class T> using PoolVector = std::vector<T, Allocator<T>>;

// std::make_shared with the object and its reference count in one block from the pool. Used
// for what a training step makes and frees as often as buffers: the Storage behind a Tensor,
// and the tape's Variables and Nodes.
template <class T, class... Args> std::shared_ptr<T> make_shared(Args&&... args) {
  return std::allocate_shared<T>(Allocator<T>(), std::forward<Args>(args)...);
}

}  // namespace xtgrad::storage_pool
