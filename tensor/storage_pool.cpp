// The storage pool (see storage_pool.hpp): the shared free lists, one per size class, and the
// slow paths of each thread's cache (registration, and the flush when the thread ends).
#include "tensor/storage_pool.hpp"

#include <cstdlib>
#include <mutex>
#include <string>

namespace xtgrad::storage_pool {

namespace detail {

__thread ThreadCache thread_cache;
std::atomic<std::uint64_t> shared_cached_bytes{0};
std::atomic<std::size_t> limit{std::size_t{256} << 20};
Design design = Design::unknown;

}  // namespace detail

namespace {

using detail::alignment;
using detail::class_index;
using detail::class_size;
using detail::FreeBlock;
using detail::thread_cache;
using detail::ThreadCache;

constexpr int largest_power = 62;  // Tensor::empty refuses more than 2^62 bytes
constexpr std::size_t class_count = 4 + 4 * (largest_power - 8 + 1);

// The size of the blocks of class c (the inverse of class_index).
std::size_t size_of_class(std::size_t c) {
  if (c < 4) return (c + 1) * alignment;
  const int p = 8 + static_cast<int>((c - 4) / 4);
  return (5 + (c - 4) % 4) << (p - 2);
}

struct Pool {
  std::mutex mutex;
  std::array<FreeBlock*, class_count> free_lists{};
  std::vector<ThreadCache*> threads;  // the caches of the running threads, for stats()
  // Counted under the mutex, plus what exited threads counted in their caches.
  std::uint64_t from_system = 0;
  std::uint64_t from_cache = 0;

  // Frees cached blocks, largest classes first, until at most `keep` bytes remain. Locked.
  void trim_to(std::size_t keep) {
    auto& cached = detail::shared_cached_bytes;
    for (std::size_t c = class_count; c-- > 0 && cached > keep;) {
      while (free_lists[c] != nullptr && cached > keep) {
        FreeBlock* block = free_lists[c];
        free_lists[c] = block->next;
        cached -= size_of_class(c);
        std::free(block);
      }
    }
  }
  // Keeps the block if the limit allows (counting what the calling thread keeps for itself);
  // returns false otherwise. Locked.
  bool keep(void* block, std::size_t size) {
    const std::size_t most = detail::limit;
    // NOTE: a block over an eighth of the limit is not kept: a one-off giant (a data set being
    // converted) would otherwise stay resident for the rest of the run, raising the peak RSS.
    if (size > most / 8 || detail::shared_cached_bytes + thread_cache.bytes.get() + size > most) return false;
    const std::size_t c = class_index(size);
    free_lists[c] = new (block) FreeBlock{free_lists[c]};
    detail::shared_cached_bytes += size;
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
  for (std::size_t c = 0; c < detail::thread_classes; ++c) {
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

}  // namespace

namespace detail {

void start_thread_cache() noexcept {
  static_cast<void>(&thread_cache_flusher);  // constructs it, so that it runs at thread exit
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.threads.push_back(&thread_cache);
  thread_cache.ready = true;
}

namespace {
Design current_design() noexcept {
  if (design == Design::unknown) {
    const char* env = std::getenv("XTGRAD_POOL");
    const std::string name = env == nullptr ? "full" : env;
    design = name == "none" ? Design::none : name == "large" ? Design::large : Design::full;
  }
  return design;
}
bool from_malloc(std::size_t bytes) noexcept {
  const Design d = current_design();
  return d == Design::none || (d == Design::large && bytes < large_block_bytes);
}
}  // namespace

void* allocate_shared(std::size_t bytes) {
  if (bytes > (std::size_t{1} << largest_power)) return nullptr;
  if (from_malloc(bytes)) return std::aligned_alloc(alignment, (bytes + alignment - 1) & ~(alignment - 1));
  const std::size_t size = class_size(bytes);
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    FreeBlock*& head = p.free_lists[class_index(size)];
    if (head != nullptr) {
      FreeBlock* block = head;
      head = block->next;
      shared_cached_bytes -= size;
      ++p.from_cache;
      return block;
    }
    ++p.from_system;
  }
  return std::aligned_alloc(alignment, size);
}

void deallocate_shared(void* block, std::size_t bytes) noexcept {
  if (from_malloc(bytes)) {
    std::free(block);
    return;
  }
  const std::size_t size = class_size(bytes);
  if (enabled()) {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.keep(block, size)) return;
  }
  std::free(block);
}

}  // namespace detail

bool enabled() noexcept { return XTGRAD_POOL_ENABLED != 0; }

Stats stats() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  Stats s{p.from_system, p.from_cache, detail::shared_cached_bytes.load()};
  for (const ThreadCache* cache : p.threads) {
    s.from_cache += cache->from_cache.get();
    s.cached_bytes += cache->bytes.get();
  }
  return s;
}

std::size_t cache_limit() noexcept { return detail::limit.load(); }

void set_cache_limit(std::size_t bytes) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (thread_cache.ready) flush_locked(p, thread_cache);
  detail::limit = bytes;
  p.trim_to(bytes);
}

void release_cache() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (thread_cache.ready) flush_locked(p, thread_cache);
  p.trim_to(0);
}

}  // namespace xtgrad::storage_pool
