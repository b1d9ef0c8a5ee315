// TensorDataset and DataLoader: every sample once per epoch, batch sizes, shuffling and its
// seed, reused batch buffers, and the errors.
#include <algorithm>
#include <numeric>
#include <vector>

#include "../tensor/helpers.hpp"
#include "nn/data.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

using Indices = std::vector<std::int64_t>;

// n samples of 2 features whose values name the sample: row i is (10 i, 10 i + 1); the
// target of sample i is 1000 + i (int64 labels).
nn::TensorDataset numbered(std::int64_t n) {
  const Tensor column = arange(0, static_cast<double>(n), 1).reshape({n, 1}) * 10.0;  // (n, 1)
  return nn::TensorDataset(column + tensor({0, 1}),                                   // (n, 2)
                           arange(1000, static_cast<double>(1000 + n), 1, DType::int64));
}

// One epoch: the indices of each batch, after checking that the batch's rows are those samples.
std::vector<Indices> run_epoch(nn::DataLoader& loader) {
  std::vector<Indices> batches;
  for (const nn::Batch& batch : loader) {
    const auto b = static_cast<std::int64_t>(batch.indices.size());
    BOOST_TEST_REQUIRE(shape_str(batch.input.shape()) == shape_str({b, 2}));
    BOOST_TEST_REQUIRE(shape_str(batch.target.shape()) == shape_str({b}));
    for (std::int64_t r = 0; r < b; ++r) {
      const auto i = static_cast<double>(batch.indices[static_cast<std::size_t>(r)]);
      BOOST_TEST(batch.input.at({r, 0}) == 10 * i);
      BOOST_TEST(batch.input.at({r, 1}) == 10 * i + 1);
      BOOST_TEST(batch.target.at({r}) == 1000 + i);
    }
    batches.push_back(batch.indices);
  }
  return batches;
}

std::vector<std::size_t> sizes(const std::vector<Indices>& batches) {
  std::vector<std::size_t> out;
  for (const Indices& b : batches) out.push_back(b.size());
  return out;
}

Indices concatenated(const std::vector<Indices>& batches) {
  Indices all;
  for (const Indices& b : batches) all.insert(all.end(), b.begin(), b.end());
  return all;
}

Indices iota(std::int64_t n) {
  Indices v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), std::int64_t{0});
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(data)

BOOST_AUTO_TEST_CASE(every_sample_once_per_epoch) {
  const nn::TensorDataset ds = numbered(10);
  BOOST_TEST(ds.size() == 10);
  nn::DataLoader loader(ds, 3, /*shuffle=*/true, /*drop_last=*/false, /*seed=*/7);
  BOOST_TEST(loader.batches_per_epoch() == 4);
  for (int epoch = 0; epoch < 3; ++epoch) {
    const std::vector<Indices> batches = run_epoch(loader);
    BOOST_TEST(sizes(batches) == std::vector<std::size_t>({3, 3, 3, 1}),
               boost::test_tools::per_element());
    Indices all = concatenated(batches);
    std::sort(all.begin(), all.end());
    BOOST_TEST(all == iota(10), boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(drop_last_skips_the_smaller_batch) {
  const nn::TensorDataset ds = numbered(10);
  nn::DataLoader loader(ds, 3, /*shuffle=*/true, /*drop_last=*/true, 1);
  BOOST_TEST(loader.batches_per_epoch() == 3);
  const std::vector<Indices> batches = run_epoch(loader);
  BOOST_TEST(sizes(batches) == std::vector<std::size_t>({3, 3, 3}),
             boost::test_tools::per_element());
  Indices all = concatenated(batches);
  std::sort(all.begin(), all.end());
  BOOST_TEST((std::adjacent_find(all.begin(), all.end()) == all.end()));  // 9 distinct samples

  nn::DataLoader exact(ds, 5, false, /*drop_last=*/true);
  BOOST_TEST(exact.batches_per_epoch() == 2);  // nothing to drop when the size divides
  BOOST_TEST(sizes(run_epoch(exact)) == std::vector<std::size_t>({5, 5}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(without_shuffle_the_order_is_the_data_sets) {
  const nn::TensorDataset ds = numbered(7);
  nn::DataLoader loader(ds, 4, /*shuffle=*/false);
  for (int epoch = 0; epoch < 2; ++epoch) {
    const std::vector<Indices> batches = run_epoch(loader);
    BOOST_TEST(batches.size() == 2u);
    BOOST_TEST(concatenated(batches) == iota(7), boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(shuffle_draws_a_new_order_each_epoch_from_the_seed) {
  const nn::TensorDataset ds = numbered(20);
  nn::DataLoader a(ds, 6, true, false, /*seed=*/3);
  nn::DataLoader b(ds, 6, true, false, /*seed=*/3);
  nn::DataLoader c(ds, 6, true, false, /*seed=*/4);
  const Indices a1 = concatenated(run_epoch(a)), a2 = concatenated(run_epoch(a));
  const Indices b1 = concatenated(run_epoch(b)), b2 = concatenated(run_epoch(b));
  const Indices c1 = concatenated(run_epoch(c));
  BOOST_TEST((a1 != a2));  // a new permutation every epoch (equal with probability 1/20!)
  BOOST_TEST((a1 != iota(20)));
  BOOST_TEST(a1 == b1, boost::test_tools::per_element());  // same seed, same epochs
  BOOST_TEST(a2 == b2, boost::test_tools::per_element());
  BOOST_TEST((a1 != c1));  // another seed, another order
}

BOOST_AUTO_TEST_CASE(batch_buffers_are_reused) {
  const nn::TensorDataset ds = numbered(10);
  nn::DataLoader loader(ds, 4, /*shuffle=*/true);
  Tensor first_input, first_target;
  int full = 0;
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (const nn::Batch& batch : loader) {
      if (batch.indices.size() < 4) {
        // The smaller last batch needs a buffer of its own shape.
        BOOST_TEST(!batch.input.shares_storage(first_input));
        continue;
      }
      if (!first_input.defined()) {
        first_input = batch.input;
        first_target = batch.target;
      } else if (epoch == 0) {
        // Full batches of one epoch are gathered into the same storage.
        BOOST_TEST(batch.input.shares_storage(first_input));
        BOOST_TEST(batch.target.shares_storage(first_target));
      }
      ++full;
    }
  }
  BOOST_TEST(full == 4);

  // When the size divides, every batch of every epoch uses the first one's buffers.
  const nn::TensorDataset ds9 = numbered(9);
  nn::DataLoader loader9(ds9, 3, true);
  Tensor buffer;
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (const nn::Batch& batch : loader9) {
      if (!buffer.defined()) buffer = batch.input;
      BOOST_TEST(batch.input.shares_storage(buffer));
    }
  }
}

BOOST_AUTO_TEST_CASE(inputs_without_targets) {
  const nn::TensorDataset ds(zeros({5, 2, 3}));
  nn::DataLoader loader(ds, 2, false);
  int batches = 0;
  for (const nn::Batch& batch : loader) {
    BOOST_TEST(!batch.target.defined());
    BOOST_TEST(batch.input.dim() == 3);  // samples may have any shape: (B, 2, 3)
    ++batches;
  }
  BOOST_TEST(batches == 3);
}

BOOST_AUTO_TEST_CASE(an_empty_data_set_gives_no_batch) {
  const nn::TensorDataset ds(zeros({0, 4}));
  nn::DataLoader loader(ds, 8);
  BOOST_TEST(loader.batches_per_epoch() == 0);
  for (const nn::Batch& batch : loader) BOOST_ERROR("unexpected batch of " << batch.indices.size());
}

BOOST_AUTO_TEST_CASE(errors) {
  check_throws<ShapeError>(
      [] {
        nn::TensorDataset(zeros({5, 2}), zeros({4, 2}));
      },
      {"TensorDataset", "(5, 2)", "(4, 2)", "number of samples"});
  check_throws<ShapeError>(
      [] {
        nn::TensorDataset(zeros({5, 2}), zeros({}));
      },
      {"TensorDataset", "(5, 2)", "()"});
  check_throws<ShapeError>([] { nn::TensorDataset(zeros({})); }, {"TensorDataset", "()"});
  check_throws<ValueError>([] { nn::TensorDataset{Tensor()}; }, {"TensorDataset"});
  const nn::TensorDataset ds = numbered(4);
  check_throws<ValueError>([&] { nn::DataLoader(ds, 0); }, {"DataLoader", "batch_size", "0"});
  check_throws<ValueError>([&] { nn::DataLoader(ds, -3); }, {"DataLoader", "batch_size", "-3"});
}

BOOST_AUTO_TEST_SUITE_END()
