// The storage pool behind Tensor::empty: freed buffers are reused by size class, the cache
// keeps to its limit, and under AddressSanitizer every buffer comes from the system.
#include <algorithm>
#include <thread>

#include "helpers.hpp"
#include "tensor/memory/storage_pool.hpp"

using namespace xtgrad;
namespace pool = xtgrad::storage_pool;
namespace utf = boost::unit_test;

namespace {

boost::test_tools::assertion_result pool_on(utf::test_unit_id) { return pool::enabled(); }
boost::test_tools::assertion_result pool_off(utf::test_unit_id) { return !pool::enabled(); }

// Sets the cache limit for one test and puts the previous one back.
struct CacheLimit {
  explicit CacheLimit(std::size_t bytes) : previous(pool::cache_limit()) {
    pool::set_cache_limit(bytes);
  }
  ~CacheLimit() { pool::set_cache_limit(previous); }
  std::size_t previous;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(storage_pool)

BOOST_AUTO_TEST_CASE(a_freed_buffer_is_reused_for_the_next_tensor_of_its_size,
                     *utf::precondition(pool_on)) {
  const float* first = nullptr;
  {
    Tensor a = Tensor::empty({12345});
    first = a.data<float>();
  }
  const pool::Stats before = pool::stats();
  Tensor b = Tensor::empty({12345});
  const pool::Stats after = pool::stats();
  BOOST_TEST(b.data<float>() == first);
  BOOST_TEST(after.from_system == before.from_system);
  BOOST_TEST(after.from_cache == before.from_cache + 2);  // the buffer and its Storage
}

BOOST_AUTO_TEST_CASE(a_tensor_of_at_most_64_bytes_is_one_block_with_its_storage,
                     *utf::precondition(pool_on)) {
  for (std::int64_t n : {1, 8, 16, 17}) {
    const pool::Stats before = pool::stats();
    Tensor t = Tensor::empty({n});
    const pool::Stats after = pool::stats();
    const std::uint64_t blocks =
        (after.from_system + after.from_cache) - (before.from_system + before.from_cache);
    BOOST_TEST_CONTEXT(n << " floats") {
      BOOST_TEST(blocks == (n <= 16 ? 1u : 2u));
      t.fill_(2.5);
      BOOST_TEST(t.to_vector<float>() == std::vector<float>(static_cast<std::size_t>(n), 2.5f));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_size_class_serves_nearby_sizes, *utf::precondition(pool_on)) {
  // 4000 and 3600 bytes are both in the class of 4096 bytes (2^11 * 2).
  const void* first = nullptr;
  {
    Tensor a = Tensor::empty({1000});
    first = a.data<float>();
  }
  Tensor b = Tensor::empty({900});
  BOOST_TEST(static_cast<const void*>(b.data<float>()) == first);
}

BOOST_AUTO_TEST_CASE(buffers_are_64_byte_aligned) {
  for (std::int64_t n : {1, 3, 17, 100, 5000}) {
    Tensor t = Tensor::empty({n}, DType::float64);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(t.data<double>()) % 64 == 0);
  }
}

BOOST_AUTO_TEST_CASE(the_cache_keeps_to_its_limit, *utf::precondition(pool_on)) {
  CacheLimit limit(std::size_t{1} << 20);  // 1 MiB
  std::vector<Tensor> tensors;
  for (int i = 0; i < 32; ++i) tensors.push_back(Tensor::empty({16 * 1024}));  // 64 KiB each
  tensors.clear();
  BOOST_TEST(pool::stats().cached_bytes <= (std::size_t{1} << 20));
  BOOST_TEST(pool::stats().cached_bytes > 0);
  pool::release_cache();
  {
    Tensor big = Tensor::empty({64 * 1024});  // 256 KiB: over an eighth of the limit
  }
  BOOST_TEST(pool::stats().cached_bytes < (std::size_t{256} << 10));  // its Storage block only
  const pool::Stats before = pool::stats();
  Tensor again = Tensor::empty({64 * 1024});  // was not cached: comes from the system
  BOOST_TEST(pool::stats().from_system == before.from_system + 1);
}

BOOST_AUTO_TEST_CASE(lowering_the_limit_and_release_cache_free_cached_blocks,
                     *utf::precondition(pool_on)) {
  CacheLimit limit(std::size_t{16} << 20);
  { std::vector<Tensor> t{Tensor::empty({200000}), Tensor::empty({300000})}; }
  BOOST_TEST(pool::stats().cached_bytes >= std::size_t{2000000});
  pool::set_cache_limit(std::size_t{1} << 20);
  BOOST_TEST(pool::stats().cached_bytes <= (std::size_t{1} << 20));
  pool::release_cache();
  BOOST_TEST(pool::stats().cached_bytes == 0u);
}

BOOST_AUTO_TEST_CASE(threads_share_the_pool_safely) {
  // Each thread allocates and frees; every allocation is counted once, values stay intact.
  const pool::Stats before = pool::stats();
  auto work = [](float value) {
    for (int i = 0; i < 2000; ++i) {
      Tensor t = Tensor::empty({17 + i % 300});  // over 64 bytes: a buffer of its own
      t.fill_(value);
      const float* p = t.data<float>();
      if (!std::all_of(p, p + t.numel(), [&](float x) { return x == value; })) {
        throw std::runtime_error("a buffer in use was handed to another thread");
      }
    }
  };
  std::thread a(work, 1.0f), b(work, 2.0f);
  a.join();
  b.join();
  const pool::Stats after = pool::stats();
  // Two blocks per tensor (the buffer, and the Storage with its reference count).
  BOOST_TEST((after.from_system + after.from_cache) - (before.from_system + before.from_cache) ==
             2u * 2 * 2000);
}

BOOST_AUTO_TEST_CASE(a_thread_hands_its_cached_blocks_to_the_others_when_it_ends,
                     *utf::precondition(pool_on)) {
  pool::release_cache();
  void* freed = nullptr;
  std::thread worker([&] {
    freed = pool::allocate(100);  // a 128-byte block: small, kept by the thread that frees it
    pool::deallocate(freed, 100);
  });
  worker.join();
  BOOST_TEST(pool::stats().cached_bytes == 128u);
  void* again = pool::allocate(100);  // this thread gets the block the worker left behind
  BOOST_TEST(again == freed);
  pool::deallocate(again, 100);
}

BOOST_AUTO_TEST_CASE(under_asan_every_buffer_comes_from_the_system, *utf::precondition(pool_off)) {
  { Tensor a = Tensor::empty({12345}); }
  const pool::Stats before = pool::stats();
  Tensor b = Tensor::empty({12345});
  BOOST_TEST(pool::stats().from_cache == before.from_cache);
  BOOST_TEST(pool::stats().cached_bytes == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
