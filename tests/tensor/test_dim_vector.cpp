// DimVector, the inline list behind Shape and Axes: it behaves as std::vector<int64_t> does,
// whether its values sit inside the object (up to 6) or on the heap (more), across copies,
// moves, inserts and erases that cross that line.
#include <numeric>
#include <vector>

#include "helpers.hpp"
#include "tensor/memory/dim_vector.hpp"

using namespace xtgrad;

namespace {

constexpr std::size_t inline_n = DimVector::inline_capacity;

// 1, 2, ..., n as both types.
DimVector counting(std::size_t n) {
  DimVector v;
  for (std::size_t i = 0; i < n; ++i) v.push_back(static_cast<std::int64_t>(i + 1));
  return v;
}
std::vector<std::int64_t> counting_vector(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), 1);
  return v;
}

bool same_values(const DimVector& v, const std::vector<std::int64_t>& expected) {
  return std::vector<std::int64_t>(v) == expected;
}

// Whether v's values live inside v itself.
bool held_inline(const DimVector& v) {
  const auto* self = reinterpret_cast<const char*>(&v);
  const auto* values = reinterpret_cast<const char*>(v.data());
  return values >= self && values < self + sizeof(DimVector);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dim_vector)

BOOST_AUTO_TEST_CASE(constructors_give_what_std_vector_gives) {
  BOOST_TEST(DimVector().empty());
  BOOST_TEST(same_values(DimVector(3), {0, 0, 0}));
  BOOST_TEST(same_values(DimVector(2, 7), {7, 7}));
  BOOST_TEST(same_values(DimVector{4, 3}, {4, 3}));
  const std::vector<std::int64_t> values = counting_vector(9);
  BOOST_TEST(same_values(DimVector(values.begin(), values.end()), values));
  BOOST_TEST(same_values(DimVector(values), values));
}

// Sizes 0 to 9 straddle the inline capacity of 6.
BOOST_AUTO_TEST_CASE(values_stay_inline_up_to_the_capacity_and_move_to_the_heap_beyond) {
  for (std::size_t n = 0; n <= inline_n + 3; ++n) {
    const DimVector v = counting(n);
    BOOST_TEST_CONTEXT("size " << n) {
      BOOST_TEST(same_values(v, counting_vector(n)));
      BOOST_TEST(held_inline(v) == (n <= inline_n));
    }
  }
}

BOOST_AUTO_TEST_CASE(copies_are_independent_on_both_sides_of_the_capacity) {
  for (std::size_t n : {std::size_t{2}, inline_n, inline_n + 3}) {
    DimVector a = counting(n);
    DimVector b = a;  // copy construction
    DimVector c = counting(1);
    c = a;  // copy assignment over a smaller one
    DimVector d = counting(inline_n + 5);
    d = a;  // copy assignment over a heap one
    a[0] = 100;
    BOOST_TEST_CONTEXT("size " << n) {
      BOOST_TEST(same_values(b, counting_vector(n)));
      BOOST_TEST(same_values(c, counting_vector(n)));
      BOOST_TEST(same_values(d, counting_vector(n)));
      BOOST_TEST(a[0] == 100);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_move_takes_the_values_and_leaves_the_source_empty) {
  for (std::size_t n : {std::size_t{3}, inline_n + 2}) {
    DimVector a = counting(n);
    const std::int64_t* heap_block = a.data();
    DimVector b = std::move(a);
    DimVector c = counting(inline_n + 4);
    c = std::move(b);
    BOOST_TEST_CONTEXT("size " << n) {
      BOOST_TEST(same_values(c, counting_vector(n)));
      BOOST_TEST(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is defined
      BOOST_TEST(b.empty());  // NOLINT(bugprone-use-after-move)
      if (n > inline_n) BOOST_TEST(c.data() == heap_block);  // the heap block is handed over
      a.push_back(5);  // a moved-from DimVector is usable again
      BOOST_TEST(same_values(a, {5}));
    }
  }
}

BOOST_AUTO_TEST_CASE(insert_and_erase_work_across_the_capacity) {
  DimVector v = counting(inline_n);  // full: the insert below moves it to the heap
  v.insert(v.begin() + 1, 40);
  std::vector<std::int64_t> expected = counting_vector(inline_n);
  expected.insert(expected.begin() + 1, 40);
  BOOST_TEST(same_values(v, expected));

  const std::vector<std::int64_t> more{7, 8, 9};
  v.insert(v.end(), more.begin(), more.end());
  expected.insert(expected.end(), more.begin(), more.end());
  BOOST_TEST(same_values(v, expected));

  v.erase(v.begin());
  expected.erase(expected.begin());
  v.erase(v.begin() + 2, v.begin() + 5);
  expected.erase(expected.begin() + 2, expected.begin() + 5);
  BOOST_TEST(same_values(v, expected));

  v.resize(2);
  v.resize(4, 9);
  BOOST_TEST(same_values(v, {40, 2, 9, 9}));
  v.pop_back();
  BOOST_TEST(v.back() == 9);
  BOOST_TEST(v.front() == 40);
}

BOOST_AUTO_TEST_CASE(comparisons_are_element_by_element) {
  BOOST_TEST((DimVector{2, 3} == DimVector{2, 3}));
  BOOST_TEST((DimVector{2, 3} != DimVector{2, 3, 1}));
  BOOST_TEST((DimVector{2, 3} != DimVector{2, 4}));
  BOOST_TEST((DimVector{2, 3} < DimVector{2, 4}));
  BOOST_TEST(!(DimVector{2, 4} < DimVector{2, 3}));
  BOOST_TEST((counting(inline_n + 1) == counting(inline_n + 1)));
}

BOOST_AUTO_TEST_SUITE_END()
