// Printing tensors. The expected printouts were made by PyTorch (with our dtype names in the
// dtype suffix).
#include <limits>
#include <sstream>

#include "helpers.hpp"

using namespace xtgrad;

BOOST_AUTO_TEST_SUITE(print)

BOOST_AUTO_TEST_CASE(print_float32_like_pytorch) {
  BOOST_TEST(to_string(tensor({1, 2.5, 3})) == "tensor([1.0000, 2.5000, 3.0000])");
  BOOST_TEST(to_string(tensor({{1.5, 2}, {3, 4}})) ==
             "tensor([[1.5000, 2.0000],\n"
             "        [3.0000, 4.0000]])");
  BOOST_TEST(to_string(tensor({-0.5, 1e-3})) == "tensor([-0.5000,  0.0010])");
  // All integers: "1." style, right-aligned.
  BOOST_TEST(to_string(tensor({1, -2, 30})) == "tensor([ 1., -2., 30.])");
  BOOST_TEST(to_string(zeros({2, 2})) ==
             "tensor([[0., 0.],\n"
             "        [0., 0.]])");
  // 3-d: a blank line between the 2-d blocks.
  BOOST_TEST(to_string(tensor({{{0, 1}, {2, 3}}, {{4, 5}, {6, 7}}})) ==
             "tensor([[[0., 1.],\n"
             "         [2., 3.]],\n"
             "\n"
             "        [[4., 5.],\n"
             "         [6., 7.]]])");
  // A long row wraps at 80 characters.
  BOOST_TEST(to_string(arange(0, 5, 0.25)) ==
             "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000, 1.2500, 1.5000, 1.7500, 2.0000,\n"
             "        2.2500, 2.5000, 2.7500, 3.0000, 3.2500, 3.5000, 3.7500, 4.0000, 4.2500,\n"
             "        4.5000, 4.7500])");
}

BOOST_AUTO_TEST_CASE(print_scientific_and_non_finite) {
  // min < 1e-4, max/min > 1000, or max > 1e8 switch the whole tensor to scientific notation.
  BOOST_TEST(to_string(tensor({1e-5, 1, 100})) == "tensor([1.0000e-05, 1.0000e+00, 1.0000e+02])");
  BOOST_TEST(to_string(tensor({123456, 0.5})) == "tensor([1.2346e+05, 5.0000e-01])");
  BOOST_TEST(to_string(tensor({1e9, 1})) == "tensor([1.0000e+09, 1.0000e+00])");
  BOOST_TEST(to_string(tensor({2000, 1})) == "tensor([2.0000e+03, 1.0000e+00])");
  BOOST_TEST(to_string(tensor({5e-5, 0.01})) == "tensor([5.0000e-05, 1.0000e-02])");
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  BOOST_TEST(to_string(tensor({nan, inf, -inf, 1.5})) ==
             "tensor([   nan,    inf,   -inf, 1.5000])");
  BOOST_TEST(to_string(tensor({-nan, 0, -inf})) == "tensor([nan, 0., -inf])");  // never "-nan"
}

BOOST_AUTO_TEST_CASE(print_other_dtypes_name_them) {
  BOOST_TEST(to_string(tensor({0.1, 0.25}, DType::float64)) ==
             "tensor([0.1000, 0.2500], dtype=float64)");
  BOOST_TEST(to_string(tensor({1, -20, 300}, DType::int64)) ==
             "tensor([  1, -20, 300], dtype=int64)");
  BOOST_TEST(to_string(tensor({{1, 0, 1}}, DType::boolean)) ==
             "tensor([[ True, False,  True]], dtype=bool)");
  // The suffix moves to its own line when the last line would pass 80 characters.
  BOOST_TEST(to_string(arange(1, 10, 1, DType::float64).mul_(0.1)) ==
             "tensor([0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000, 0.8000, 0.9000],\n"
             "       dtype=float64)");
}

BOOST_AUTO_TEST_CASE(print_0d_empty_and_undefined) {
  BOOST_TEST(to_string(scalar_tensor(3.5)) == "tensor(3.5000)");
  BOOST_TEST(to_string(scalar_tensor(7, DType::int64)) == "tensor(7, dtype=int64)");
  BOOST_TEST(to_string(scalar_tensor(2, DType::float64)) == "tensor(2., dtype=float64)");
  BOOST_TEST(to_string(zeros({0})) == "tensor([])");
  BOOST_TEST(to_string(zeros({0, 3})) == "tensor([], size=(0, 3))");
  BOOST_TEST(to_string(zeros({0}, DType::int64)) == "tensor([], dtype=int64)");
  BOOST_TEST(to_string(Tensor()) == "tensor(undefined)");
}

BOOST_AUTO_TEST_CASE(print_summarises_over_1000_elements) {
  BOOST_TEST(to_string(arange(0, 1001).mul_(0.001)) ==
             "tensor([0.0000, 0.0010, 0.0020,  ..., 0.9980, 0.9990, 1.0000])");
  // The format is chosen from the shown elements only: here 0 .. 0.75 and 499.25 .. 499.75.
  BOOST_TEST(to_string(arange(0, 500, 0.25)) ==
             "tensor([0.0000e+00, 2.5000e-01, 5.0000e-01,  ..., 4.9925e+02, 4.9950e+02,\n"
             "        4.9975e+02])");
  BOOST_TEST(to_string(arange(0, 1200, 1, DType::int64).reshape({2, 20, 30})) ==
             "tensor([[[   0,    1,    2,  ...,   27,   28,   29],\n"
             "         [  30,   31,   32,  ...,   57,   58,   59],\n"
             "         [  60,   61,   62,  ...,   87,   88,   89],\n"
             "         ...,\n"
             "         [ 510,  511,  512,  ...,  537,  538,  539],\n"
             "         [ 540,  541,  542,  ...,  567,  568,  569],\n"
             "         [ 570,  571,  572,  ...,  597,  598,  599]],\n"
             "\n"
             "        [[ 600,  601,  602,  ...,  627,  628,  629],\n"
             "         [ 630,  631,  632,  ...,  657,  658,  659],\n"
             "         [ 660,  661,  662,  ...,  687,  688,  689],\n"
             "         ...,\n"
             "         [1110, 1111, 1112,  ..., 1137, 1138, 1139],\n"
             "         [1140, 1141, 1142,  ..., 1167, 1168, 1169],\n"
             "         [1170, 1171, 1172,  ..., 1197, 1198, 1199]]], dtype=int64)");
}

BOOST_AUTO_TEST_CASE(print_stream_matches_to_string) {
  const Tensor t = tensor({{1, 2}, {3, 4}}, DType::float64);
  std::ostringstream os;
  os << t;
  BOOST_TEST(os.str() == to_string(t));
}

BOOST_AUTO_TEST_SUITE_END()
