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
// they join the shared lists when it ends. Under AddressSanitizer the pool is off, every block
// comes from and goes back to the system, so that ASan still reports a use after free.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define XTGRAD_POOL_ENABLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XTGRAD_POOL_ENABLED 0
#endif
#endif
#ifndef XTGRAD_POOL_ENABLED
#define XTGRAD_POOL_ENABLED 1
#endif

namespace xtgrad::storage_pool {

// A block of at least `bytes` bytes, aligned to 64 bytes (AVX-512 loads); nullptr when the
// system has no memory left.
inline void* allocate(std::size_t bytes);
// Gives back a block from allocate(bytes), with the same `bytes`.
inline void deallocate(void* block, std::size_t bytes) noexcept;

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


// --- the fast path: a thread's own cache, inline (internals; storage_pool.cpp has the rest) ----
//
// NOTE: why a cache per thread, and why inline. The tape makes and frees about a dozen small
// blocks per op (a Variable, a Node, a Storage, the node's short lists). Through the shared
// lists each took the mutex, and even without it a call into storage_pool.cpp cost about 150
// instructions per block: a sixth of an op on 1-element tensors (bench/README.md, attempt 6).
// Blocks of up to 1 KiB are first kept by the thread that frees them, up to 1 MiB in all (or a
// sixteenth of the limit, if less), and handed out again to that thread here, without a lock
// or a call. A block may be freed by another thread than the one that allocated it: it then
// joins that other thread's cache, which is fine, since the blocks of a class are alike.
namespace detail {

constexpr std::size_t alignment = 64;
constexpr std::size_t thread_classes = 12;            // classes 0..11: 64 bytes to 1 KiB
constexpr std::size_t thread_block_bytes = 1024;      // the largest block a thread keeps
constexpr std::uint64_t thread_cache_bytes = 1 << 20;  // the most a thread keeps for itself

// floor(log2(x)) for x > 0.
constexpr int log2_floor(std::size_t x) { return 63 - __builtin_clzll(x); }

// The size actually allocated for a request of `bytes`: 64, 128, 192, 256, then
// 2^p * {1.25, 1.5, 1.75, 2} for bytes in (2^p, 2^(p+1)]. (Steps are powers of two, so
// rounding up is a mask, not a division.)
constexpr std::size_t class_size(std::size_t bytes) {
  if (bytes <= 256) return bytes == 0 ? alignment : (bytes + alignment - 1) & ~(alignment - 1);
  const std::size_t step = std::size_t{1} << (log2_floor(bytes - 1) - 2);
  return (bytes + step - 1) & ~(step - 1);
}

// The free list of a class size: 0-3 for 64..256, then four per power of two.
constexpr std::size_t class_index(std::size_t size) {
  if (size <= 256) return size / alignment - 1;
  const int p = log2_floor(size - 1);
  const std::size_t quarter = size >> (p - 2);  // 5, 6, 7 or 8
  return 4 + 4 * static_cast<std::size_t>(p - 8) + (quarter - 5);
}

// A cached block holds the link to the next cached block of its class in its first bytes.
struct FreeBlock {
  FreeBlock* next;
};

// A count that only its owning thread changes and any thread may read (stats()): a relaxed
// load and store, which compile to plain moves (no locked instruction), yet are no data race.
struct OwnedCount {
  std::atomic<std::uint64_t> value;
  void add(std::uint64_t n) noexcept { value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void sub(std::uint64_t n) noexcept { value.store(value.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  std::uint64_t get() const noexcept { return value.load(std::memory_order_relaxed); }
};

// NOTE: a plain aggregate, zero-initialised, with no constructor or destructor, declared
// __thread rather than thread_local (GCC and Clang): other files then reach it directly, with
// no check for a dynamic initialisation, and it stays readable while the thread exits (a graph
// held by a static object can free its tensors after the flush).
struct ThreadCache {
  std::array<FreeBlock*, thread_classes> free_lists;
  OwnedCount bytes;       // held in free_lists
  OwnedCount from_cache;  // blocks allocate() took from free_lists
  bool ready;             // registered with the pool (and to be flushed at thread exit), not exiting
  bool closed;            // the thread is exiting: every block goes to the shared lists
};
extern __thread ThreadCache thread_cache;

// MEASUREMENT SWITCH (issue 18, part 2; to be removed once decided): XTGRAD_POOL, read once at
// the first allocation: "full" (default) is the pool above; "large" pools only blocks of at least
// large_block_bytes, under the mutex, and takes smaller ones from aligned_alloc (no thread
// cache); "none" takes every block from aligned_alloc (run with jemalloc preloaded).
enum class Design : int { unknown = 0, full, large, none };
extern Design design;
constexpr std::size_t large_block_bytes = 64 << 10;
extern std::atomic<std::uint64_t> shared_cached_bytes;  // bytes in the shared lists
extern std::atomic<std::size_t> limit;                   // cache_limit()

void* allocate_shared(std::size_t bytes);  // from the shared lists, or the system
void deallocate_shared(void* block, std::size_t bytes) noexcept;
void start_thread_cache() noexcept;  // registers this thread's cache with the pool

// Whether this thread may keep one more block of `size` bytes: within its own budget, and
// with the shared lists within the limit.
inline bool thread_may_keep(std::size_t size) noexcept {
  const std::uint64_t most = limit.load(std::memory_order_relaxed);
  const std::uint64_t kept = thread_cache.bytes.get() + size;
  return kept <= std::min(thread_cache_bytes, most / 16) &&
         shared_cached_bytes.load(std::memory_order_relaxed) + kept <= most;
}

}  // namespace detail

[[gnu::always_inline]] inline void* allocate(std::size_t bytes) {
  using namespace detail;
  if (XTGRAD_POOL_ENABLED && design == Design::full && bytes <= thread_block_bytes) {
    const std::size_t size = class_size(bytes);
    const std::size_t c = class_index(size);
    if (__builtin_expect(!thread_cache.ready && !thread_cache.closed, 0)) start_thread_cache();
    ThreadCache& cache = thread_cache;
    if (cache.ready && cache.free_lists[c] != nullptr) {
      FreeBlock* block = cache.free_lists[c];
      cache.free_lists[c] = block->next;
      cache.bytes.sub(size);
      cache.from_cache.add(1);
      return block;
    }
  }
  return allocate_shared(bytes);
}

[[gnu::always_inline]] inline void deallocate(void* block, std::size_t bytes) noexcept {
  using namespace detail;
  if (block == nullptr) return;
  if (XTGRAD_POOL_ENABLED && design == Design::full && bytes <= thread_block_bytes) {
    const std::size_t size = class_size(bytes);
    const std::size_t c = class_index(size);
    if (__builtin_expect(!thread_cache.ready && !thread_cache.closed, 0)) start_thread_cache();
    ThreadCache& cache = thread_cache;
    if (cache.ready && thread_may_keep(size)) {
      cache.free_lists[c] = new (block) FreeBlock{cache.free_lists[c]};
      cache.bytes.add(size);
      return;
    }
  }
  deallocate_shared(block, bytes);
}

}  // namespace xtgrad::storage_pool
