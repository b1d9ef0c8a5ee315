// Chapter 5: the article's NumPy train_autoencoder, transcribed line for line, and what is
// wrong with it. The article (000_12a825433204b506.txt, section 2.3) gives:
//
//   W_enc = np.random.randn(hidden_dim, input_dim) * 0.01
//   for i in range(max_iter):
//       encoded = np.tanh(np.dot(W_enc, input_data))
//       grad_enc = (encoded - input_data).T @ input_data / len(input_data) + (backslash)
//                  ((1 - encoded ** 2) * W_enc).sum(axis=1)[:, None] / len(input_data)
//       W_enc -= learning_rate * grad_enc
//   return encoded
//
// called with input_data = np.random.rand(100, 10), input_dim 10, hidden_dim 5.
//
//   1. As written it stops at its first line: W_enc (5, 10) times input_data (100, 10).
//   2. With the samples as columns (input_data.T, (10, 100)) the product works, and the next
//      line fails: a 5-number code minus a 10-number input. There is no decoder, so nothing
//      has the input's shape to compare with it.
//   3. With more than one sample, every line runs only when samples = features = hidden
//      units (here 10 x 10, 10 units; with a single sample, as the article's section 2.3
//      assumes, 1 or 10 hidden units run too, and neither compresses anything).
//      Even then grad_enc is not the derivative of any loss: a gradient field g = dL/dW has
//      a symmetric Jacobian (the Hessian of L), so its circulation around every closed loop
//      is zero. grad_enc's Jacobian is not symmetric and its circulation is not zero.
//
//   ch05_article_code [--short] [--as-written] [--out DIR]   (--out: it writes no file)
//     --as-written: run step 1 only and let the error end the program (exit 1)
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "tensor/all.hpp"

using namespace xtgrad;

namespace {

// [book:transcription]
// grad_enc of the article, for W_enc (k, m) and input_data x, NumPy's broadcasting included.
Tensor article_grad_enc(const Tensor& w_enc, const Tensor& x) {
  const Tensor encoded = tanh(matmul(w_enc, x));             // np.tanh(np.dot(W_enc, input_data))
  const double len = static_cast<double>(x.size(0));         // len(input_data): x's first axis
  const Tensor error = encoded - x;                          // encoded - input_data
  const Tensor first = matmul(error, x, true, false) / len;  // error.T @ input_data / len
  // ((1 - encoded ** 2) * W_enc).sum(axis=1)[:, None] / len
  const Tensor second = sum((1.0 - square(encoded)) * w_enc, {1}, /*keepdim=*/true) / len;
  return first + second;
}

// The article's loop; returns W_enc (the article returns `encoded`, the codes of the last step).
Tensor train_autoencoder(const Tensor& x, std::int64_t input_dim, std::int64_t hidden_dim,
                         std::int64_t max_iter, double learning_rate, Generator& gen) {
  Tensor w_enc = randn({hidden_dim, input_dim}, gen, DType::float64) * 0.01;
  for (std::int64_t i = 0; i < max_iter; ++i) {
    w_enc.add_(article_grad_enc(w_enc, x), -learning_rate);  // W_enc -= lr * grad_enc
  }
  return w_enc;
}
// [/book:transcription]

// The only loss the update could be aiming at: the code compares `encoded` with the input, so
// the decoder is the identity, L(W) = 1/(2 len) ||tanh(W x) - x||^2, whose true gradient is
//   dL/dW = ((tanh(W x) - x) * (1 - tanh(W x)^2)) x^T / len.
double identity_decoder_loss(const Tensor& w, const Tensor& x) {
  return 0.5 * sum(square(tanh(matmul(w, x)) - x)).item() / static_cast<double>(x.size(0));
}
Tensor identity_decoder_grad(const Tensor& w, const Tensor& x) {
  const Tensor z = tanh(matmul(w, x));
  return matmul((z - x) * (1.0 - square(z)), x, false, true) / static_cast<double>(x.size(0));
}

// [book:curl]
// A field g(W) is the gradient of some loss only if its Jacobian J[a][b] = dg_a/dW_b is
// symmetric (J is then the loss's Hessian). Central differences with step h (float64):
// returns max |J - J^T| / max |J| and the pair (a, b) where the asymmetry is largest.
template <class Field>
std::pair<double, std::pair<std::int64_t, std::int64_t>> jacobian_asymmetry(Field g,
                                                                            const Tensor& w) {
  const std::int64_t n = w.numel();
  const double h = 1e-5;
  std::vector<std::vector<double>> jac(n, std::vector<double>(n));  // jac[a][b] = dg_a/dW_b
  for (std::int64_t b = 0; b < n; ++b) {
    Tensor step = zeros_like(w);
    step.data<double>()[b] = h;
    const std::vector<double> up = g(w + step).template to_vector<double>();
    const std::vector<double> down = g(w - step).template to_vector<double>();
    for (std::int64_t a = 0; a < n; ++a) jac[a][b] = (up[a] - down[a]) / (2 * h);
  }
  double largest = 0.0, asym = 0.0;
  std::pair<std::int64_t, std::int64_t> where{0, 0};
  for (std::int64_t a = 0; a < n; ++a) {
    for (std::int64_t b = 0; b < n; ++b) {
      largest = std::max(largest, std::abs(jac[a][b]));
      if (std::abs(jac[a][b] - jac[b][a]) > asym) {
        asym = std::abs(jac[a][b] - jac[b][a]);
        where = {a, b};
      }
    }
  }
  return {asym / largest, where};
}

// The line integral of g around the square of side eps in the plane of coordinates a and b,
// starting at w: sum of g . dW along the four sides (midpoint rule, `steps` per side).
// For a gradient g = dL/dW it is L(end) - L(start) = 0; by Stokes' theorem it is about
// eps^2 (dg_b/dW_a - dg_a/dW_b) otherwise.
template <class Field>
double circulation(Field g, const Tensor& w, std::int64_t a, std::int64_t b, double eps) {
  const int steps = 64;
  const double corners[5][2] = {{0, 0}, {eps, 0}, {eps, eps}, {0, eps}, {0, 0}};
  double total = 0.0;
  for (int side = 0; side < 4; ++side) {
    const double da = (corners[side + 1][0] - corners[side][0]) / steps;
    const double db = (corners[side + 1][1] - corners[side][1]) / steps;
    for (int s = 0; s < steps; ++s) {
      Tensor p = w.clone();
      p.data<double>()[a] += corners[side][0] + (s + 0.5) * da;
      p.data<double>()[b] += corners[side][1] + (s + 0.5) * db;
      const std::vector<double> v = g(p).template to_vector<double>();
      total += v[a] * da + v[b] * db;
    }
  }
  return total;
}
// [/book:curl]

// Runs `step`, printing the error it throws; true when it threw a ShapeError.
template <class Step>
bool fails_with_shape_error(const char* what, Step step) {
  try {
    step();
    std::printf("%s: ran without an error\n", what);
    return false;
  } catch (const ShapeError& e) {
    std::printf("%s:\n  ShapeError: %s\n", what, e.what());
    return true;
  }
}

int run(bool short_mode) {
  Generator gen(2024);
  const std::int64_t max_iter = short_mode ? 1000 : 10000;  // the article's default: 10000
  const double lr = 0.01;                                   // the article's default

  std::printf("1. as written: input_data (100, 10), input_dim 10, hidden_dim 5\n");
  const Tensor data = rand({100, 10}, gen, DType::float64);  // np.random.rand(100, 10)
  const bool first_fails = fails_with_shape_error(
      "   np.dot(W_enc, input_data)", [&] { train_autoencoder(data, 10, 5, max_iter, lr, gen); });

  std::printf("\n2. samples as columns: input_data.T (10, 100)\n");
  const bool second_fails = fails_with_shape_error("   encoded - input_data (no decoder)", [&] {
    train_autoencoder(data.transpose(), 10, 5, max_iter, lr, gen);
  });

  std::printf(
      "\n3. shapes where every line runs (more than one sample: all three equal): 10 samples, 10 "
      "features, 10 units\n");
  const Tensor x = rand({10, 10}, gen, DType::float64);
  const Tensor w0 = randn({10, 10}, gen, DType::float64) * 0.01;  // the article's start
  const auto article = [&](const Tensor& w) { return article_grad_enc(w, x); };
  const auto truth = [&](const Tensor& w) { return identity_decoder_grad(w, x); };

  const auto [asym_article, where] = jacobian_asymmetry(article, w0);
  const auto [asym_truth, where_truth] = jacobian_asymmetry(truth, w0);
  (void)where_truth;
  std::printf("   Jacobian asymmetry max|J - J^T| / max|J| at the article's starting W:\n");
  std::printf("     the article's grad_enc                      %.3e\n", asym_article);
  std::printf("     true gradient of 1/2 ||tanh(W x) - x||^2    %.3e   (a Hessian: symmetric)\n",
              asym_truth);
  const double eps = 1e-2;
  const double circ_article = circulation(article, w0, where.first, where.second, eps);
  const double circ_truth = circulation(truth, w0, where.first, where.second, eps);
  std::printf("   circulation around a square of side %.0e in the plane of W[%lld] and W[%lld]:\n",
              eps, static_cast<long long>(where.first), static_cast<long long>(where.second));
  std::printf("     the article's grad_enc                      %.3e\n", circ_article);
  std::printf("     true gradient                               %.3e   (zero for any loss)\n",
              circ_truth);

  // Where does the article's update lead? Follow it, and watch the identity-decoder loss.
  const Tensor g0 = article(w0), t0 = truth(w0);
  const double cosine = sum(g0 * t0).item() / std::sqrt(sum(g0 * g0).item() * sum(t0 * t0).item());
  Tensor w = w0.clone();
  const double loss_start = identity_decoder_loss(w, x);
  std::printf("   1/2 ||tanh(W x) - x||^2 / len along the article's updates (lr %.2f):\n", lr);
  for (std::int64_t i = 1; i <= max_iter; ++i) {
    w.add_(article(w), -lr);
    if (i == 10 || i == 100 || i == 1000 || i == 10000) {
      std::printf("     after %5lld steps  %.4f\n", static_cast<long long>(i),
                  identity_decoder_loss(w, x));
      std::printf("result loss_after_%lld %.4f\n", static_cast<long long>(i),
                  identity_decoder_loss(w, x));
    }
  }
  const double loss_end = identity_decoder_loss(w, x);
  Tensor v = w0.clone();
  for (std::int64_t i = 0; i < max_iter; ++i) v.add_(truth(v), -lr);
  const double loss_true_descent = identity_decoder_loss(v, x);
  std::printf("   cosine between the article's update and the true gradient at the start: %.3f\n",
              cosine);
  std::printf("   1/2 ||tanh(W x) - x||^2 / len after %lld steps of lr %.2f:\n",
              static_cast<long long>(max_iter), lr);
  std::printf("     start %.4f, article's update %.4f, true gradient descent %.4f\n", loss_start,
              loss_end, loss_true_descent);

  std::printf("result as_written_shape_error %d\n", first_fails ? 1 : 0);
  std::printf("result columns_shape_error %d\n", second_fails ? 1 : 0);
  std::printf("result asymmetry_article %.3e\n", asym_article);
  std::printf("result asymmetry_true %.3e\n", asym_truth);
  std::printf("result circulation_article %.3e\n", circ_article);
  std::printf("result circulation_true %.3e\n", circ_truth);
  std::printf("result cosine_start %.3f\n", cosine);
  std::printf("result loss_start %.4f\n", loss_start);
  std::printf("result loss_article %.4f\n", loss_end);
  std::printf("result loss_true_descent %.4f\n", loss_true_descent);
  const bool shown = first_fails && second_fails && asym_article > 1e-3 && asym_truth < 1e-6;
  return shown ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool short_mode = false, as_written = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--short")
      short_mode = true;
    else if (flag == "--as-written")
      as_written = true;
    else if (flag == "--out" && i + 1 < argc)
      ++i;  // it writes no file
    else {
      std::fprintf(stderr, "usage: ch05_article_code [--short] [--as-written] (unknown '%s')\n",
                   argv[i]);
      return 2;
    }
  }
  try {
    if (as_written) {  // the article's call, with nothing caught
      Generator gen(2024);
      train_autoencoder(rand({100, 10}, gen, DType::float64), 10, 5, 10000, 0.01, gen);
      return 0;
    }
    return run(short_mode);
  } catch (const xtgrad::Error& e) {
    std::fprintf(stderr, "ch05_article_code: %s\n", e.what());
    return 1;
  }
}
