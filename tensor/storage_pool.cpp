// The storage pool (see storage_pool.hpp): free lists of cached blocks, one per size class.
#include "tensor/storage_pool.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
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

// floor(log2(x)) for x > 0.
int log2_floor(std::size_t x) { return 63 - __builtin_clzll(x); }

// The size actually allocated for a request of `bytes`: 64, 128, 192, 256, then
// 2^p * {1.25, 1.5, 1.75, 2} for bytes in (2^p, 2^(p+1)].
std::size_t class_size(std::size_t bytes) {
  if (bytes <= 256) return bytes == 0 ? alignment : (bytes + alignment - 1) / alignment * alignment;
  const std::size_t step = std::size_t{1} << (log2_floor(bytes - 1) - 2);
  return (bytes + step - 1) / step * step;
}

// The free list of a class size: 0-3 for 64..256, then four per power of two.
std::size_t class_index(std::size_t size) {
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

// A count that only its owning thread changes and any thread may read: a relaxed load and
// store, which compile to plain moves (no locked instruction), yet are no data race.
struct OwnedCount {
  std::atomic<std::uint64_t> value{0};
  void add(std::uint64_t n) noexcept { value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void sub(std::uint64_t n) noexcept { value.store(value.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  std::uint64_t get() const noexcept { return value.load(std::memory_order_relaxed); }
};

// --- each thread's own cache of small blocks ---------------------------------------------------
//
// NOTE: why a cache per thread. The tape makes and frees several small blocks per op (a
// Variable, a Node, a Storage, a 1-element buffer, the node's short lists). Taking the pool's
// mutex for each was about a tenth of an op's time on 1-element tensors (bench/README.md,
// attempt 6). Blocks of up to 1 KiB are first kept by the thread that frees them, up to 1 MiB
// in all (or a sixteenth of the limit, if less), and handed out again to that thread without a
// lock; the rest goes through the shared lists. A block may be freed by another thread than the one that allocated it: it then joins
// that other thread's cache, which is fine, since the blocks of a class are interchangeable.
constexpr std::size_t thread_classes = 12;                 // classes 0..11: 64 bytes to 1 KiB
constexpr std::uint64_t thread_cache_bytes = 1 << 20;  // the most a thread keeps for itself

struct ThreadCache {
  std::array<FreeBlock*, thread_classes> free_lists{};
  OwnedCount bytes;       // held in free_lists
  OwnedCount from_cache;  // blocks allocate() took from free_lists
  bool started = false;   // registered with the pool, and flushed at thread exit
  bool closed = false;    // the thread is exiting: every block goes to the shared lists
};
// NOTE: trivially destructible (OwnedCount's atomic is), so that it is still readable while
// the thread exits, after the flusher below has run: a graph held by a thread_local or static
// object can free its tensors then.
thread_local ThreadCache thread_cache;

struct Pool {
  std::mutex mutex;
  std::array<FreeBlock*, class_count> free_lists{};
  std::atomic<std::size_t> limit{std::size_t{256} << 20};  // read without the lock by deallocate()
  std::vector<ThreadCache*> threads;  // the caches of the running threads, for stats()
  // Counted under the mutex, plus what exited threads counted in their caches.
  std::uint64_t from_system = 0;
  std::uint64_t from_cache = 0;
  std::atomic<std::uint64_t> cached_bytes{0};  // in free_lists; changed under the lock only

  // Frees cached blocks, largest classes first, until at most `keep` bytes remain. Locked.
  void trim_to(std::size_t keep) {
    for (std::size_t c = class_count; c-- > 0 && cached_bytes > keep;) {
      while (free_lists[c] != nullptr && cached_bytes > keep) {
        FreeBlock* block = free_lists[c];
        free_lists[c] = block->next;
        cached_bytes -= size_of_class(c);
        std::free(block);
      }
    }
  }
  // Keeps the block if the limit allows (counting what the calling thread keeps for itself);
  // returns false otherwise. Locked.
  bool keep(void* block, std::size_t size) {
    // NOTE: a block over an eighth of the limit is not kept: a one-off giant (a data set being
    // converted) would otherwise stay resident for the rest of the run, raising the peak RSS.
    if (size > limit / 8 || cached_bytes + thread_cache.bytes.get() + size > limit) return false;
    const std::size_t c = class_index(size);
    free_lists[c] = new (block) FreeBlock{free_lists[c]};
    cached_bytes += size;
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
    flush_locked(p, thread_cache);
    p.from_cache += thread_cache.from_cache.get();
    thread_cache.from_cache.sub(thread_cache.from_cache.get());
    p.threads.erase(std::find(p.threads.begin(), p.threads.end(), &thread_cache));
    thread_cache.closed = true;
  }
};
thread_local ThreadCacheFlusher thread_cache_flusher;

// This thread's cache, or nullptr when the pool is off or the thread is exiting.
ThreadCache* this_thread_cache() noexcept {
  if (!XTGRAD_POOL_ENABLED || thread_cache.closed) return nullptr;
  if (!thread_cache.started) {
    thread_cache.started = true;
    static_cast<void>(&thread_cache_flusher);  // constructs it, so that it runs at thread exit
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    p.threads.push_back(&thread_cache);
  }
  return &thread_cache;
}

// Whether the thread may keep one more block of `size` bytes: within its own budget, and with
// the shared lists within the limit.
bool thread_may_keep(const ThreadCache& cache, std::size_t size) noexcept {
  const Pool& p = pool();
  const std::uint64_t limit = p.limit.load(std::memory_order_relaxed);
  const std::uint64_t kept = cache.bytes.get() + size;
  return kept <= std::min(thread_cache_bytes, limit / 16) &&
         p.cached_bytes.load(std::memory_order_relaxed) + kept <= limit;
}

}  // namespace

bool enabled() noexcept { return XTGRAD_POOL_ENABLED != 0; }

void* allocate(std::size_t bytes) {
  if (bytes > (std::size_t{1} << largest_power)) return nullptr;
  const std::size_t size = class_size(bytes);
  const std::size_t c = class_index(size);
  if (c < thread_classes) {
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
    FreeBlock*& head = p.free_lists[c];
    if (head != nullptr) {
      FreeBlock* block = head;
      head = block->next;
      p.cached_bytes -= size;
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
  if (!enabled()) {
    std::free(block);
    return;
  }
  const std::size_t c = class_index(size);
  if (c < thread_classes) {
    ThreadCache* cache = this_thread_cache();
    if (cache != nullptr && thread_may_keep(*cache, size)) {
      cache->free_lists[c] = new (block) FreeBlock{cache->free_lists[c]};
      cache->bytes.add(size);
      return;
    }
  }
  Pool& shared = pool();
  {
    std::lock_guard<std::mutex> lock(shared.mutex);
    if (shared.keep(block, size)) return;
  }
  std::free(block);
}

Stats stats() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  Stats s{p.from_system, p.from_cache, p.cached_bytes.load()};
  for (const ThreadCache* cache : p.threads) {
    s.from_cache += cache->from_cache.get();
    s.cached_bytes += cache->bytes.get();
  }
  return s;
}

std::size_t cache_limit() noexcept {
  Pool& p = pool();
  return p.limit.load();
}

void set_cache_limit(std::size_t bytes) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (thread_cache.started && !thread_cache.closed) flush_locked(p, thread_cache);  // registered
  p.limit = bytes;
  p.trim_to(bytes);
}

void release_cache() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (thread_cache.started && !thread_cache.closed) flush_locked(p, thread_cache);  // registered
  p.trim_to(0);
}

}  // namespace xtgrad::storage_pool
