// The storage pool (see storage_pool.hpp): free lists of cached blocks, one per size class.
#include "tensor/storage_pool.hpp"

#include <array>
#include <cstdlib>
#include <mutex>
#include <new>

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

// A cached block holds the link to the next cached block of its class in its first bytes.
struct FreeBlock {
  FreeBlock* next;
};

struct Pool {
  std::mutex mutex;
  std::array<FreeBlock*, class_count> free_lists{};
  std::array<std::size_t, class_count> sizes{};  // class size of each list (0: never used)
  std::size_t limit = std::size_t{256} << 20;
  Stats stats;

  // Frees cached blocks, largest classes first, until at most `keep` bytes remain. Locked.
  void trim_to(std::size_t keep) {
    for (std::size_t c = class_count; c-- > 0 && stats.cached_bytes > keep;) {
      while (free_lists[c] != nullptr && stats.cached_bytes > keep) {
        FreeBlock* block = free_lists[c];
        free_lists[c] = block->next;
        stats.cached_bytes -= sizes[c];
        std::free(block);
      }
    }
  }
};

// NOTE: never destroyed: a graph held by a static object can free its tensors after every
// static of this file is gone (tests/autograd/static_graph_at_exit.cpp).
Pool& pool() {
  static Pool* const instance = new Pool;
  return *instance;
}

}  // namespace

bool enabled() noexcept { return XTGRAD_POOL_ENABLED != 0; }

void* allocate(std::size_t bytes) {
  if (bytes > (std::size_t{1} << largest_power)) return nullptr;
  const std::size_t size = class_size(bytes);
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    FreeBlock*& head = p.free_lists[class_index(size)];
    if (head != nullptr) {
      FreeBlock* block = head;
      head = block->next;
      p.stats.cached_bytes -= size;
      ++p.stats.from_cache;
      return block;
    }
    ++p.stats.from_system;
  }
  return std::aligned_alloc(alignment, size);
}

void deallocate(void* block, std::size_t bytes) noexcept {
  if (block == nullptr) return;
  const std::size_t size = class_size(bytes);
  if (enabled()) {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    // NOTE: a block over an eighth of the limit is not kept: a one-off giant (a data set being
    // converted) would otherwise stay resident for the rest of the run, raising the peak RSS.
    if (size <= p.limit / 8 && p.stats.cached_bytes + size <= p.limit) {
      const std::size_t c = class_index(size);
      p.free_lists[c] = new (block) FreeBlock{p.free_lists[c]};
      p.sizes[c] = size;
      p.stats.cached_bytes += size;
      return;
    }
  }
  std::free(block);
}

Stats stats() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.stats;
}

std::size_t cache_limit() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.limit;
}

void set_cache_limit(std::size_t bytes) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.limit = bytes;
  p.trim_to(bytes);
}

void release_cache() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.trim_to(0);
}

}  // namespace xtgrad::storage_pool
