// The storage pool (storage_pool.hpp): size classes, a cache per thread for small blocks, and
// free lists shared by all threads for the rest.
//
// Size classes: up to 256 bytes, multiples of 64; above, four classes per power of two (1.25,
// 1.5, 1.75 and 2 times 2^k), so a block is at most 25 % larger than asked for.
//
// A cache per thread: the tape makes and frees about a dozen small blocks per op (a Variable, a
// Node, a Storage, the node's short lists), so blocks of up to 1 KiB are first kept by the
// thread that frees them, up to 1 MiB in all (or a sixteenth of the limit, if less), and handed
// out again to that thread without a lock. A block may be freed by another thread than the one
// that allocated it: it then joins that other thread's cache, which is fine, since the blocks
// of a class are alike. A thread's own blocks count in cached_bytes and, with the shared lists,
// against the limit; they join the shared lists when the thread ends. Larger blocks, and small
// ones a thread may not keep, go to the shared lists, under one mutex.
#include "tensor/memory/storage_pool.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
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

namespace {

constexpr std::size_t alignment = 64;
constexpr int largest_power = 62;  // Tensor::empty refuses more than 2^62 bytes
constexpr std::size_t class_count = 4 + 4 * (largest_power - 8 + 1);
constexpr std::size_t thread_classes = 12;             // classes 0..11: 64 bytes to 1 KiB
constexpr std::size_t thread_block_bytes = 1024;       // the largest block a thread keeps
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

// The size of the blocks of class c (the inverse of class_index).
std::size_t size_of_class(std::size_t c) {
  if (c < 4) return (c + 1) * alignment;
  const int p = 8 + static_cast<int>((c - 4) / 4);
  return (5 + (c - 4) % 4) << (p - 2);
}

// A cached block holds the link to the next cached block of its class in its first bytes.
struct FreeBlock {
  FreeBlock* next;
};

// A count that only its owning thread changes and any thread may read (stats()): a relaxed
// load and store, which compile to plain moves (no locked instruction), yet are no data race.
struct OwnedCount {
  std::atomic<std::uint64_t> value;
  void add(std::uint64_t n) noexcept {
    value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void sub(std::uint64_t n) noexcept {
    value.store(value.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }
  std::uint64_t get() const noexcept { return value.load(std::memory_order_relaxed); }
};

// NOTE: a plain aggregate, zero-initialised, with no constructor or destructor, declared
// __thread rather than thread_local (GCC and Clang): it is reached with no check for a dynamic
// initialisation, and it stays readable while the thread exits (a graph held by a static
// object can free its tensors after the flush).
struct ThreadCache {
  std::array<FreeBlock*, thread_classes> free_lists;
  OwnedCount bytes;       // held in free_lists
  OwnedCount from_cache;  // blocks allocate() took from free_lists
  bool ready;   // registered with the pool (and to be flushed at thread exit), not exiting
  bool closed;  // the thread is exiting: every block goes to the shared lists
};
__thread ThreadCache thread_cache;
std::atomic<std::uint64_t> shared_cached_bytes{0};  // bytes in the shared lists
std::atomic<std::size_t> limit{std::size_t{256} << 20};

struct Pool {
  std::mutex mutex;
  std::array<FreeBlock*, class_count> free_lists{};
  std::vector<ThreadCache*> threads;  // the caches of the running threads, for stats()
  // Counted under the mutex, plus what exited threads counted in their caches.
  std::uint64_t from_system = 0;
  std::uint64_t from_cache = 0;

  // Frees cached blocks, largest classes first, until at most `keep` bytes remain. Locked.
  void trim_to(std::size_t keep) {
    for (std::size_t c = class_count; c-- > 0 && shared_cached_bytes > keep;) {
      while (free_lists[c] != nullptr && shared_cached_bytes > keep) {
        FreeBlock* block = free_lists[c];
        free_lists[c] = block->next;
        shared_cached_bytes -= size_of_class(c);
        std::free(block);
      }
    }
  }
  // Keeps the block if the limit allows (counting what the calling thread keeps for itself);
  // returns false otherwise. Locked.
  bool keep(void* block, std::size_t size) {
    const std::size_t most = limit;
    // NOTE: a block over an eighth of the limit is not kept: a one-off giant (a data set being
    // converted) would otherwise stay resident for the rest of the run, raising the peak RSS.
    if (size > most / 8 || shared_cached_bytes + thread_cache.bytes.get() + size > most)
      return false;
    const std::size_t c = class_index(size);
    free_lists[c] = new (block) FreeBlock{free_lists[c]};
    shared_cached_bytes += size;
    return true;
  }
};

// NOTE: never destroyed: a graph held by a static object can free its tensors after every
// static of this file is gone (tests/autograd/static_graph_at_exit.cpp).
Pool& pool() {
  static Pool* const instance = new Pool;
  return *instance;
}

// Moves every block of this thread's cache to the shared lists (or back to the system when
// they are full). Locked.
void flush_locked(Pool& p, ThreadCache& cache) noexcept {
  for (std::size_t c = 0; c < thread_classes; ++c) {
    while (FreeBlock* block = cache.free_lists[c]) {
      cache.free_lists[c] = block->next;
      cache.bytes.sub(size_of_class(c));
      if (!p.keep(block, size_of_class(c))) std::free(block);
    }
  }
}

// At thread exit: flushes the thread's cache and takes it off the pool's list.
struct ThreadCacheFlusher {
  ~ThreadCacheFlusher() {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    thread_cache.ready = false;
    thread_cache.closed = true;
    flush_locked(p, thread_cache);
    p.from_cache += thread_cache.from_cache.get();
    thread_cache.from_cache.sub(thread_cache.from_cache.get());
    p.threads.erase(std::find(p.threads.begin(), p.threads.end(), &thread_cache));
  }
};
thread_local ThreadCacheFlusher thread_cache_flusher;

// The calling thread's cache, registered with the pool on first use; nullptr once the thread
// is exiting.
ThreadCache* this_thread_cache() noexcept {
  if (__builtin_expect(!thread_cache.ready && !thread_cache.closed, 0)) {
    static_cast<void>(&thread_cache_flusher);  // constructs it, so that it runs at thread exit
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    p.threads.push_back(&thread_cache);
    thread_cache.ready = true;
  }
  return thread_cache.ready ? &thread_cache : nullptr;
}

// Whether this thread may keep one more block of `size` bytes: within its own budget, and
// with the shared lists within the limit.
bool thread_may_keep(const ThreadCache& cache, std::size_t size) noexcept {
  const std::uint64_t most = limit.load(std::memory_order_relaxed);
  const std::uint64_t kept = cache.bytes.get() + size;
  return kept <= std::min(thread_cache_bytes, most / 16) &&
         shared_cached_bytes.load(std::memory_order_relaxed) + kept <= most;
}

}  // namespace

void* allocate(std::size_t bytes) {
  if (bytes > (std::size_t{1} << largest_power)) return nullptr;
  const std::size_t size = class_size(bytes);
  const std::size_t c = class_index(size);
  if (XTGRAD_POOL_ENABLED && size <= thread_block_bytes) {
    ThreadCache* cache = this_thread_cache();
    if (cache != nullptr && cache->free_lists[c] != nullptr) {
      FreeBlock* block = cache->free_lists[c];
      cache->free_lists[c] = block->next;
      cache->bytes.sub(size);
      cache->from_cache.add(1);
      return block;
    }
  }
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    if (FreeBlock* block = p.free_lists[c]) {
      p.free_lists[c] = block->next;
      shared_cached_bytes -= size;
      ++p.from_cache;
      return block;
    }
    ++p.from_system;
  }
  return std::aligned_alloc(alignment, size);
}

void deallocate(void* block, std::size_t bytes) noexcept {
  if (block == nullptr) return;
  const std::size_t size = class_size(bytes);
  if (!XTGRAD_POOL_ENABLED) return std::free(block);  // so that ASan sees a use after free
  if (size <= thread_block_bytes) {
    ThreadCache* cache = this_thread_cache();
    if (cache != nullptr && thread_may_keep(*cache, size)) {
      const std::size_t c = class_index(size);
      cache->free_lists[c] = new (block) FreeBlock{cache->free_lists[c]};
      cache->bytes.add(size);
      return;
    }
  }
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (!p.keep(block, size)) std::free(block);
}

bool enabled() noexcept { return XTGRAD_POOL_ENABLED != 0; }

Stats stats() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  Stats s{p.from_system, p.from_cache, shared_cached_bytes.load()};
  for (const ThreadCache* cache : p.threads) {
    s.from_cache += cache->from_cache.get();
    s.cached_bytes += cache->bytes.get();
  }
  return s;
}

std::size_t cache_limit() noexcept { return limit.load(); }

void set_cache_limit(std::size_t bytes) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (thread_cache.ready) flush_locked(p, thread_cache);
  limit = bytes;
  p.trim_to(bytes);
}

void release_cache() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (thread_cache.ready) flush_locked(p, thread_cache);
  p.trim_to(0);
}

}  // namespace xtgrad::storage_pool
