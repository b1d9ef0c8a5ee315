// The Tensor handle: construction, shared storage, views, conversion, access, versions.
#include "helpers.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

BOOST_AUTO_TEST_SUITE(tensor_handle)

BOOST_AUTO_TEST_CASE(construct_from_values) {
  Tensor t(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  BOOST_TEST(t.dim() == 2);
  BOOST_TEST(t.numel() == 6);
  BOOST_TEST(t.size(-1) == 3);
  BOOST_TEST(t.dtype() == DType::float32);
  check_tensor(t, {2, 3}, {1, 2, 3, 4, 5, 6});
  BOOST_TEST(Tensor(std::vector<double>{1.5}, {}).dtype() == DType::float64);
  BOOST_TEST(Tensor(std::vector<std::int64_t>{7, 8}, {2}).at({1}) == 8);
}

BOOST_AUTO_TEST_CASE(wrong_value_count_names_shape) {
  check_throws<ShapeError>(
      [] {
        Tensor(std::vector<float>{1, 2, 3}, {2, 2});
      },
      {"tensor", "3 values", "(2, 2)"});
  check_throws<ValueError>([] { Tensor::empty({2, -1}); }, {"empty", "(2, -1)"});
}

BOOST_AUTO_TEST_CASE(copies_share_storage_clones_do_not) {
  Tensor a = zeros({2, 2});
  Tensor b = a;
  Tensor c = a.clone();
  b.fill_(3);
  check_tensor(a, {2, 2}, {3, 3, 3, 3});
  check_tensor(c, {2, 2}, {0, 0, 0, 0});
  BOOST_TEST(a.shares_storage(b));
  BOOST_TEST(!a.shares_storage(c));
}

BOOST_AUTO_TEST_CASE(reshape_is_a_view_and_infers_minus_one) {
  Tensor a = arange(0, 6);
  Tensor b = a.reshape({-1, 3});
  check_tensor(b, {2, 3}, {0, 1, 2, 3, 4, 5});
  BOOST_TEST(b.shares_storage(a));
  b.fill_(1);
  BOOST_TEST(a.at({5}) == 1);
  check_tensor(a.reshape({3, 2}).flatten(), {6}, {1, 1, 1, 1, 1, 1});
}

BOOST_AUTO_TEST_CASE(reshape_errors_name_both_shapes) {
  Tensor a = zeros({2, 3});
  check_throws<ShapeError>([&] { a.reshape({4, 2}); }, {"reshape", "(2, 3)", "(4, 2)"});
  check_throws<ShapeError>([&] { a.reshape({4, -1}); }, {"reshape", "(2, 3)", "(4, -1)"});
  check_throws<ShapeError>([&] { a.reshape({-1, -1}); }, {"reshape", "-1"});
}

BOOST_AUTO_TEST_CASE(rows_is_a_view) {
  Tensor a = arange(0, 12).reshape({4, 3});
  Tensor r = a.rows(1, 3);
  check_tensor(r, {2, 3}, {3, 4, 5, 6, 7, 8});
  BOOST_TEST(r.shares_storage(a));
  r.fill_(-1);
  check_tensor(a, {4, 3}, {0, 1, 2, -1, -1, -1, -1, -1, -1, 9, 10, 11});
  check_tensor(a.rows(4, 4), {0, 3}, {});
  check_throws<IndexError>([&] { a.rows(2, 5); }, {"rows", "[2, 5)", "(4, 3)"});
  check_throws<IndexError>([&] { a.rows(3, 2); }, {"rows", "[3, 2)"});
}

BOOST_AUTO_TEST_CASE(unsqueeze_and_squeeze) {
  Tensor a = zeros({3});
  BOOST_TEST(shape_str(a.unsqueeze(0).shape()) == "(1, 3)");
  BOOST_TEST(shape_str(a.unsqueeze(-1).shape()) == "(3, 1)");
  BOOST_TEST(shape_str(a.unsqueeze(0).squeeze(0).shape()) == "(3,)");
  check_throws<ShapeError>([&] { a.squeeze(0); }, {"squeeze", "(3,)", "size 3"});
  check_throws<IndexError>([&] { a.unsqueeze(3); }, {"unsqueeze", "axis 3"});
}

BOOST_AUTO_TEST_CASE(item_and_at) {
  BOOST_TEST(scalar_tensor(2.5).item() == 2.5);
  BOOST_TEST(full({1, 1}, 4, DType::float64).item() == 4.0);
  check_throws<ValueError>([] { zeros({2}).item(); }, {"item", "(2,)"});
  Tensor a = arange(0, 6).reshape({2, 3});
  BOOST_TEST(a.at({1, 2}) == 5);
  check_throws<IndexError>([&] { a.at({2, 0}); }, {"at", "(2, 0)", "(2, 3)"});
  check_throws<IndexError>([&] { a.at({1}); }, {"at", "needs 2 indices"});
}

BOOST_AUTO_TEST_CASE(to_converts_dtypes) {
  Tensor a = tensor({-1.5, 0.0, 2.7});
  Tensor d = a.to(DType::float64);
  BOOST_TEST(d.dtype() == DType::float64);
  check_tensor(d, {3}, {-1.5, 0.0, 2.7});
  check_tensor(a.to(DType::int64), {3}, {-1, 0, 2});   // truncates toward zero
  check_tensor(a.to(DType::boolean), {3}, {1, 0, 1});  // x != 0
  BOOST_TEST(a.to(DType::float32).shares_storage(a));  // already float32: no copy
  BOOST_TEST(a.to_vector<float>().size() == 3u);
}

BOOST_AUTO_TEST_CASE(data_checks_the_element_type) {
  Tensor a = zeros({2});
  BOOST_TEST(a.data<float>()[1] == 0.0f);
  check_throws<DTypeError>([&] { a.data<double>(); }, {"data", "float32", "float64"});
}

BOOST_AUTO_TEST_CASE(undefined_tensor_is_reported) {
  Tensor u;
  BOOST_TEST(!u.defined());
  check_throws<ValueError>([&] { exp(u); }, {"exp", "undefined"});
  check_throws<ValueError>([&] { u.clone(); }, {"clone", "undefined"});
}

BOOST_AUTO_TEST_CASE(in_place_updates_bump_the_shared_version) {
  Tensor a = zeros({2, 2});
  Tensor view = a.reshape({4});
  const auto v0 = a.version();
  a.fill_(1);
  a.add_(ones({2}), 2.0);
  a.mul_(2.0);
  a.copy_(full({2, 2}, 5));
  BOOST_TEST(a.version() == v0 + 4);
  BOOST_TEST(view.version() == a.version());
  Tensor b = a + 1.0;  // out-of-place ops leave the version alone
  BOOST_TEST(a.version() == v0 + 4);
  BOOST_TEST(b.version() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// Sizes from untrusted input (a config's code size, a file's header) must never wrap around:
// a (5882252574524730, 784) weight once allocated 1.6 KB and was then written far past it.
BOOST_AUTO_TEST_CASE(a_size_product_that_overflows_is_refused) {
  const std::int64_t big = std::int64_t{1} << 62;
  check_throws<ValueError>(
      [&] {
        shape_numel({big, big});
      },
      {"(4611686018427387904, 4611686018427387904)", "int64"});
  check_throws<ValueError>([&] { zeros({big, big, 0}); }, {"full: shape", "int64"});
  check_throws<ValueError>(
      [&] {
        Tensor::empty({3, big, 5});
      },
      {"empty", "(3, 4611686018427387904, 5)"});
  BOOST_TEST(shape_numel({big, 0}) == 0);
  BOOST_TEST(zeros({big, 0}).numel() == 0);
}

BOOST_AUTO_TEST_CASE(a_tensor_larger_than_memory_is_a_memory_error_naming_its_size_and_shape) {
  // numel fits int64, numel * 4 bytes does not fit a size_t without wrapping
  check_throws<MemoryError>(
      [] {
        Tensor::empty({5882252574524730, 784});
      },
      {"empty: cannot allocate 1.84e+10 GB for a float32 tensor of shape (5882252574524730, 784)"});
  // representable, but no machine has 4.4 TB
  check_throws<MemoryError>([] { zeros({std::int64_t{1} << 40}, DType::float32); },
                            {"cannot allocate 4.4e+03 GB", "(1099511627776,)"});
}
