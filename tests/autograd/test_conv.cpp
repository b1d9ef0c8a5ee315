// The image primitives (autograd/conv_primitives.hpp): gradcheck and gradgradcheck in float64
// over strides, padding, dilation, non-square kernels, output padding and ceil_mode; max
// pooling's ties; the errors. (test_conformance.cpp compares the same ops with PyTorch.)
#include <boost/test/unit_test.hpp>

#include "../tensor/helpers.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

Variable leaf(const Shape& shape, Generator& gen) {
  return Variable(randn(shape, gen, DType::float64), true);
}

void check_both(const std::string& what, const ScalarFunction& f, const std::vector<Variable>& in) {
  BOOST_TEST_CONTEXT(what) {
    const GradcheckReport first = gradcheck(f, in);
    BOOST_TEST(first.passed, first.summary());
    const GradcheckReport second = gradgradcheck(f, in);
    BOOST_TEST(second.passed, second.summary());
  }
}

// sum(y * weights): every output element gets its own gradient.
ScalarFunction weighted(std::function<Variable(const std::vector<Variable>&)> f,
                        std::uint64_t seed) {
  return [f, seed](const std::vector<Variable>& in) {
    const Variable y = f(in);
    Generator gen(seed);
    return sum(y * Variable(randn(y.shape(), gen, y.dtype())));
  };
}

// f throws E with exactly this message.
template <class E, class F>
void check_error(F&& f, const std::string& message) {
  try {
    f();
    BOOST_ERROR("expected \"" << message << "\", nothing was thrown");
  } catch (const E& e) {
    BOOST_TEST(std::string(e.what()) == message);
  }
}

struct ConvCase {
  const char* name;
  Shape x, w;
  Conv2dParams params;
};

const ConvCase conv_cases[] = {
    {"plain 3x3", {2, 2, 5, 5}, {3, 2, 3, 3}, {}},
    {"stride 2, padding 1", {1, 2, 6, 5}, {2, 2, 3, 3}, {{2, 2}, {1, 1}, {1, 1}}},
    {"stride (3, 2), padding (0, 2), a 2x3 kernel",
     {2, 1, 7, 6},
     {2, 1, 2, 3},
     {{3, 2}, {0, 2}, {1, 1}}},
    {"dilation 2, padding 2", {1, 2, 6, 6}, {2, 2, 3, 3}, {{1, 1}, {2, 2}, {2, 2}}},
    {"dilation (2, 1), stride 2, 1x1 kernel", {1, 3, 5, 4}, {2, 3, 1, 1}, {{2, 2}, {0, 0}, {2, 1}}},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(conv)

BOOST_AUTO_TEST_CASE(conv2d_gradcheck_and_gradgradcheck) {
  Generator gen(1);
  for (const ConvCase& c : conv_cases) {
    const std::vector<Variable> in = {leaf(c.x, gen), leaf(c.w, gen), leaf({c.w[0]}, gen)};
    const Conv2dParams params = c.params;
    check_both(
        c.name,
        weighted(
            [params](const std::vector<Variable>& v) { return conv2d(v[0], v[1], v[2], params); },
            7),
        in);
  }
}

BOOST_AUTO_TEST_CASE(conv_transpose2d_gradcheck_and_gradgradcheck) {
  Generator gen(2);
  for (const ConvCase& c : conv_cases) {
    // The transpose of conv c: its input has the conv's output channels; output padding 1
    // where the stride allows it.
    const Pair output_padding{c.params.stride[0] > 1 ? 1 : 0, c.params.stride[1] > 1 ? 1 : 0};
    const std::vector<Variable> in = {leaf({c.x[0], c.w[0], 3, 2}, gen), leaf(c.w, gen),
                                      leaf({c.w[1]}, gen)};
    const Conv2dParams params = c.params;
    check_both(c.name,
               weighted(
                   [params, output_padding](const std::vector<Variable>& v) {
                     return conv_transpose2d(v[0], v[1], v[2], params, output_padding);
                   },
                   8),
               in);
  }
}

BOOST_AUTO_TEST_CASE(conv2d_weight_grad_gradcheck_and_gradgradcheck) {
  Generator gen(3);
  for (const ConvCase& c : conv_cases) {
    const Tensor y =
        conv2d(randn(c.x, gen, DType::float64), randn(c.w, gen, DType::float64), c.params);
    const std::vector<Variable> in = {leaf(c.x, gen), leaf(y.shape(), gen)};
    const Conv2dParams params = c.params;
    const Pair kernel{c.w[2], c.w[3]};
    check_both(c.name,
               weighted(
                   [params, kernel](const std::vector<Variable>& v) {
                     return conv2d_weight_grad(v[0], v[1], kernel, params);
                   },
                   9),
               in);
  }
}

// The composition a decoder makes: conv, relu, pool, upsample, transposed conv; second
// derivatives through all of them (a gradient penalty would need these).
BOOST_AUTO_TEST_CASE(a_small_conv_autoencoder_gradchecks_twice) {
  Generator gen(4);
  const std::vector<Variable> in = {leaf({2, 1, 6, 6}, gen), leaf({3, 1, 3, 3}, gen),
                                    leaf({3, 2, 3, 3}, gen)};
  check_both(
      "encoder-decoder",
      weighted(
          [](const std::vector<Variable>& v) {
            const Variable h = sigmoid(conv2d(v[0], v[1], Variable(), {{1, 1}, {1, 1}, {1, 1}}));
            const Variable code = max_pool2d(h, {{2, 2}, {0, 0}, {0, 0}, false});  // (2, 3, 3, 3)
            const Variable up = upsample_nearest2d(code, {2, 2});                  // (2, 3, 6, 6)
            return conv_transpose2d(up, v[2], Variable(), {{1, 1}, {1, 1}, {1, 1}});
          },
          10),
      in);
}

BOOST_AUTO_TEST_CASE(max_pool2d_gradcheck_and_gradgradcheck) {
  Generator gen(5);
  struct PoolCase {
    const char* name;
    Shape x;
    MaxPool2dParams params;
  };
  const PoolCase cases[] = {
      {"2x2", {2, 2, 4, 6}, {{2, 2}, {0, 0}, {0, 0}, false}},
      {"3x3 stride 2 padding 1", {1, 2, 7, 6}, {{3, 3}, {2, 2}, {1, 1}, false}},
      {"3x2 stride (2, 1), ceil_mode", {1, 2, 6, 5}, {{3, 2}, {2, 1}, {0, 0}, true}},
      {"2x2 stride 2 ceil_mode, padding 1, odd size", {1, 1, 5, 5}, {{2, 2}, {2, 2}, {1, 1}, true}},
  };
  for (const PoolCase& c : cases) {
    const MaxPool2dParams params = c.params;
    check_both(
        c.name,
        weighted([params](const std::vector<Variable>& v) { return max_pool2d(v[0], params); }, 11),
        {leaf(c.x, gen)});
  }
}

BOOST_AUTO_TEST_CASE(upsample_nearest2d_gradcheck_and_gradgradcheck) {
  Generator gen(6);
  check_both("scale (2, 3)",
             weighted(
                 [](const std::vector<Variable>& v) {
                   return upsample_nearest2d(v[0], {2, 3});
                 },
                 12),
             {leaf({2, 2, 3, 2}, gen)});
}

// PyTorch's rule: the whole gradient goes to the first maximum of the window in row-major
// order (max() over axes shares it instead).
BOOST_AUTO_TEST_CASE(max_pool2d_sends_the_gradient_to_the_first_maximum_of_a_tie) {
  const Variable x(
      Tensor(std::vector<double>{1, 5, 5, 2, 5, 0, 3, 3, 0, 0, 7, 7, 0, 0, 7, 7}, {1, 1, 4, 4}),
      true);
  const Variable y = max_pool2d(x, {{2, 2}, {0, 0}, {0, 0}, false});
  check_tensor(y.data(), {1, 1, 2, 2}, {5, 5, 0, 7}, 0);
  y.backward(Variable(Tensor(std::vector<double>{1, 2, 3, 4}, {1, 1, 2, 2})));
  check_tensor(x.grad().data(), {1, 1, 4, 4}, {0, 1, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0}, 0);
}

BOOST_AUTO_TEST_CASE(shape_errors_name_the_op_and_the_shapes) {
  const Variable x(zeros({2, 3, 5, 5}));
  const Variable w(zeros({4, 2, 3, 3}));
  check_error<ShapeError>(
      [&] { conv2d(x, w); },
      "conv2d: input (2, 3, 5, 5) has 3 channels, weight (4, 2, 3, 3) expects 2");
  check_error<ShapeError>(
      [&] {
        conv2d(x, Variable(zeros({4, 3, 3, 3})), Variable(zeros({3})));
      },
      "conv2d: the bias has shape (3,) but weight (4, 3, 3, 3) makes 4 output channels");
  check_error<ShapeError>(
      [&] {
        conv2d(x, Variable(zeros({4, 3, 7, 3})));
      },
      "conv2d: input (2, 3, 5, 5) padded by (0, 0) is smaller than the dilated "
      "kernel (7, 3) of weight (4, 3, 7, 3)");
  check_error<ShapeError>(
      [&] {
        conv2d(Variable(zeros({3, 5, 5})), w);
      },
      "conv2d: the input must be 4-d (N, C, H, W), got (3, 5, 5)");
  check_error<ValueError>(
      [&] {
        conv2d(x, Variable(zeros({4, 3, 3, 3})), Variable(), {{0, 1}, {0, 0}, {1, 1}});
      },
      "conv2d: the stride (0, 1) must be at least 1");
  check_throws<DTypeError>(
      [&] {
        conv2d(x, Variable(zeros({4, 3, 3, 3}, DType::float64)));
      },
      {"conv2d", "float32", "float64"});
  check_error<ShapeError>(
      [&] { conv_transpose2d(x, w); },
      "conv_transpose2d: input (2, 3, 5, 5) has 3 channels, weight (4, 2, 3, 3) expects 4");
  check_error<ValueError>(
      [&] {
        conv_transpose2d(Variable(zeros({2, 4, 5, 5})), w, Variable(), {}, {1, 0});
      },
      "conv_transpose2d: the output padding (1, 0) must be at least 0 and smaller than the stride "
      "(1, 1)");
  check_error<ValueError>(
      [&] {
        max_pool2d(x, {{2, 2}, {0, 0}, {2, 0}, false});
      },
      "max_pool2d: the padding (2, 0) must be between 0 and half the kernel (2, 2)");
  check_error<ShapeError>(
      [&] {
        max_pool2d(x, {{6, 2}, {0, 0}, {0, 0}, false});
      },
      "max_pool2d: input (2, 3, 5, 5) padded by (0, 0) is smaller than the kernel (6, 2)");
  check_error<ValueError>(
      [&] {
        upsample_nearest2d(x, {0, 2});
      },
      "upsample_nearest2d: the scale factors (0, 2) must be at least 1");
}

BOOST_AUTO_TEST_SUITE_END()
