// Chapter 2: an autoencoder trained with gradients derived by hand.
//
// The basic autoencoder of F. Chollet's "Building Autoencoders in Keras" (2016,
// https://blog.keras.io/building-autoencoders-in-keras.html): 784 pixels -> 32 ReLU units ->
// 784 sigmoid outputs with a binary cross-entropy loss, trained here on Fashion-MNIST with
// Adam. The backward pass is the chain rule written out, one line per gradient, with nothing
// but tensor operations; the autograd built in later chapters derives these lines for us.
//
// Legend: N batch size, D = 784 input pixels, H = 32 hidden units.
//
//   forward                                  backward (grad_u means dL/du)
//   a     = x W1 + b1     (N, H)             grad_z  = (x_hat - x) / N    (N, D)
//   h     = relu(a)       (N, H)             grad_W2 = h^T grad_z         (H, D)
//   z     = h W2 + b2     (N, D)             grad_b2 = sum_n grad_z       (D,)
//   x_hat = sigmoid(z)    (N, D)             grad_h  = grad_z W2^T        (N, H)
//                                            grad_a  = grad_h * [a > 0]   (N, H)
//   L = (1/N) sum_n sum_d bce(x, x_hat)      grad_W1 = x^T grad_a         (D, H)
//   bce(x, y) = -x log y - (1-x) log(1-y)    grad_b1 = sum_n grad_a       (H,)
//
// The loss sums over the 784 pixels and averages over the batch. (Keras averages over the
// pixels too; that divides every gradient by 784, which Adam's update all but ignores.)
//
//   manual_autoencoder [--epochs N] [--batch-size B] [--limit N] [--seed S] [--data-dir DIR]
//   manual_autoencoder --check [--seed S]    # backward() against autograd (chapter 3)
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "data/fashion_mnist.hpp"
#include "data/pca.hpp"
#include "autograd/all.hpp"
#include "tensor/all.hpp"

using namespace xtgrad;

namespace {

constexpr std::int64_t D = 784;  // input pixels
constexpr std::int64_t H = 32;   // hidden units

struct Options {
  long long epochs = 5;
  long long batch_size = 256;
  long long limit = -1;  // training images to use; -1: all 60000
  long long seed = 1;
  std::string data_dir = data::default_fashion_mnist_dir();
  bool help = false;
  bool check = false;  // compare backward() with autograd instead of training
};

const char* kUsage =
    "usage: manual_autoencoder [--epochs N] [--batch-size B] [--limit N] [--seed S] "
    "[--data-dir DIR]\n"
    "       manual_autoencoder --check [--seed S]\n"
    "  defaults: 5 epochs, batch 256, all 60000 training images (--limit N: the first N),\n"
    "  seed 1, data from $XTGRAD_FASHION_MNIST_DIR or /usr/share/datasets/fashion-mnist\n"
    "  --check: compare the hand-derived gradients with autograd's on 8 random images in\n"
    "  float64; exit 1 if any differs\n";

// `text` as a whole number in [low, high]; ValueError naming `flag` otherwise.
long long parse_int(const std::string& flag, const std::string& text, long long low,
                    long long high) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < low || value > high) {
    throw ValueError(flag + " expects a whole number from " + std::to_string(low) + " to " +
                     std::to_string(high) + ", got '" + text + "'");
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 == argc) throw ValueError(flag + " needs a value (see --help)");
      return argv[++i];
    };
    if (flag == "--help" || flag == "-h") options.help = true;
    else if (flag == "--check") options.check = true;
    else if (flag == "--epochs") options.epochs = parse_int(flag, value(), 1, 10000);
    else if (flag == "--batch-size") options.batch_size = parse_int(flag, value(), 1, 60000);
    else if (flag == "--limit") options.limit = parse_int(flag, value(), 1, 60000);
    else if (flag == "--seed") options.seed = parse_int(flag, value(), 0, LLONG_MAX);
    else if (flag == "--data-dir") options.data_dir = value();
    else throw ValueError("unknown option '" + flag + "' (see --help)");
  }
  return options;
}

// A parameter, its gradient on the current batch, and Adam's two running averages.
struct Param {
  Tensor value, grad, m, v;
  explicit Param(const Tensor& init) : value(init), m(zeros_like(init)), v(zeros_like(init)) {}
};

struct Autoencoder {
  Param w1, b1, w2, b2;  // (D, H), (H,), (H, D), (D,)
  std::array<Param*, 4> parameters() { return {&w1, &b1, &w2, &b2}; }
};

// Glorot & Bengio (2010) uniform initialisation, Keras's default for Dense layers:
// W ~ U(-r, r) with r = sqrt(6 / (fan_in + fan_out)). Biases start at 0.
Tensor glorot_uniform(std::int64_t fan_in, std::int64_t fan_out, Generator& gen) {
  const double r = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform({fan_in, fan_out}, -r, r, gen);
}

Autoencoder make_autoencoder(Generator& gen) {
  return Autoencoder{Param(glorot_uniform(D, H, gen)), Param(zeros({H})),
                     Param(glorot_uniform(H, D, gen)), Param(zeros({D}))};
}

// The forward pass, keeping what the backward pass needs: a for the ReLU mask, h for
// grad_W2, x_hat for grad_z (z only for the loss).
struct Forward { Tensor a, h, z, x_hat; };  // (N, H), (N, H), (N, D), (N, D)

Forward forward(const Autoencoder& net, const Tensor& x) {
  Forward f;
  f.a = matmul(x, net.w1.value) + net.b1.value;    // (N, H) = (N, D) (D, H) + (H,)
  f.h = relu(f.a);                                  // (N, H)
  f.z = matmul(f.h, net.w2.value) + net.b2.value;  // (N, D) = (N, H) (H, D) + (D,)
  f.x_hat = sigmoid(f.z);                           // (N, D), each pixel in (0, 1)
  return f;
}

// sum_n sum_d bce(x, sigmoid(z)), computed from the logits z:
//   bce = -x log sigmoid(z) - (1 - x) log(1 - sigmoid(z)) = max(z, 0) - x z + log(1 + exp(-|z|))
// NOTE: log(x_hat) itself is -inf once sigmoid(z) rounds to 0 (z < -88 in float32) and
// log(1 - x_hat) once it rounds to 1 (z > 17); the right-hand form is finite for every z.
double bce_sum(const Tensor& x, const Tensor& z) {
  return sum(relu(z) - x * z + log1p(exp(-abs(z)))).item();
}

// Fills every grad of `net` for the batch x. Each parameter is used once in the forward pass,
// so its gradient is a single term: assigned here, not accumulated.
void backward(Autoencoder& net, const Tensor& x, const Forward& f) {
  const double n = static_cast<double>(x.size(0));
  // dL/dz for sigmoid + BCE: -x/y + (1-x)/(1-y) times y(1-y) leaves y - x (y = x_hat).
  const Tensor grad_z = (f.x_hat - x) / n;                             // (N, D)
  net.w2.grad = matmul(f.h, grad_z, true, false);                      // (H, D) = (N, H)^T (N, D)
  net.b2.grad = sum(grad_z, {0});                                      // (D,)
  const Tensor grad_h = matmul(grad_z, net.w2.value, false, true);     // (N, H) = (N, D) (H, D)^T
  // relu'(a) is 1 where a > 0 and 0 elsewhere. NOTE: at a = 0 exactly we take 0.
  const Tensor grad_a = where(f.a > 0.0, grad_h, scalar_tensor(0.0, grad_h.dtype()));  // (N, H)
  net.w1.grad = matmul(x, grad_a, true, false);                        // (D, H) = (N, D)^T (N, H)
  net.b1.grad = sum(grad_a, {0});                                      // (H,)
}

// Adam: D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
// arXiv:1412.6980, Algorithm 1, with the paper's default hyper-parameters.
struct Adam {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  std::int64_t t = 0;  // steps taken so far

  void step(const std::array<Param*, 4>& params) {
    ++t;
    const double correction1 = 1 - std::pow(beta1, static_cast<double>(t));
    const double correction2 = 1 - std::pow(beta2, static_cast<double>(t));
    for (Param* p : params) {
      p->m.mul_(beta1).add_(p->grad, 1 - beta1);          // m = beta1 m + (1 - beta1) g
      p->v.mul_(beta2).add_(square(p->grad), 1 - beta2);  // v = beta2 v + (1 - beta2) g^2
      const Tensor m_hat = p->m / correction1;            // m_hat = m / (1 - beta1^t)
      const Tensor v_hat = p->v / correction2;            // v_hat = v / (1 - beta2^t)
      p->value.add_(m_hat / (sqrt(v_hat) + eps), -lr);    // w -= lr m_hat / (sqrt(v_hat) + eps)
    }
  }
};

// One pass over `images` in a fresh random order; returns the mean training BCE per image.
// `batch` (B, D) is reused for every mini-batch; the last one may use only its first rows.
double train_epoch(Autoencoder& net, Adam& adam, const Tensor& images, std::int64_t batch_size,
                   Tensor& batch, Generator& gen) {
  const std::int64_t n = images.size(0);
  const std::vector<std::int64_t> order = randperm(n, gen);
  double loss_sum = 0.0;
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const std::int64_t end = std::min(n, start + batch_size);
    const std::vector<std::int64_t> rows(order.begin() + start, order.begin() + end);
    Tensor x = batch.rows(0, end - start);  // (N, D), a view of the buffer
    gather_rows_into(x, images, rows);
    const Forward f = forward(net, x);
    loss_sum += bce_sum(x, f.z);
    backward(net, x, f);
    adam.step(net.parameters());
  }
  return loss_sum / static_cast<double>(n);
}

// Per-image BCE and squared error of the reconstructions of `images`.
struct Errors { double bce, sse; };

Errors evaluate(const Autoencoder& net, const Tensor& images) {
  const std::int64_t n = images.size(0);
  Errors total{0.0, 0.0};
  for (std::int64_t start = 0; start < n; start += 1000) {
    const Tensor x = images.rows(start, std::min(n, start + 1000));  // (N, D), no copy
    const Forward f = forward(net, x);
    total.bce += bce_sum(x, f.z);
    total.sse += sum(square(f.x_hat - x)).item();
  }
  return {total.bce / static_cast<double>(n), total.sse / static_cast<double>(n)};
}

// --check: the gradients of backward() against those that autograd (chapter 3) derives from
// the same forward pass written with Variables, on 8 random images in float64. A sign error
// or a missing term in backward() makes a difference as large as the gradient itself; float64
// rounding leaves about 1e-15 of it. Returns the exit code: 0 when all four agree.
int check_gradients(std::uint64_t seed) {
  constexpr std::int64_t N = 8;
  Generator gen(seed);
  Autoencoder net = make_autoencoder(gen);
  for (Param* p : net.parameters()) *p = Param(p->value.to(DType::float64));
  const Tensor x = rand({N, D}, gen, DType::float64);  // pixels in [0, 1)
  backward(net, x, forward(net, x));

  // The same loss, L = (1/N) sum_n sum_d bce, recorded on the tape.
  const Variable w1(net.w1.value, true), b1(net.b1.value, true), w2(net.w2.value, true),
      b2(net.b2.value, true), xv(x);
  const Variable h = relu(matmul(xv, w1) + b1);                        // (N, H)
  const Variable z = matmul(h, w2) + b2;                               // (N, D)
  const Variable loss = sum(relu(z) - xv * z + log1p(exp(-abs(z)))) / static_cast<double>(N);
  loss.backward();

  const std::array<const char*, 4> names = {"grad_W1", "grad_b1", "grad_W2", "grad_b2"};
  const std::array<const Variable*, 4> autograd = {&w1, &b1, &w2, &b2};
  bool all_agree = true;
  std::printf("hand-derived gradients against autograd's, %lld random images, float64\n",
              static_cast<long long>(N));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Tensor& mine = net.parameters()[i]->grad;
    const Tensor& theirs = autograd[i]->grad().data();
    const double scale = max(abs(theirs)).item();
    const double error = max(abs(mine - theirs)).item() / scale;  // relative to the gradient's size
    const bool agrees = error <= 1e-10;
    all_agree = all_agree && agrees;
    std::printf("  %-8s max |difference| / max |gradient| = %.1e  %s\n", names[i], error,
                agrees ? "ok" : "DIFFERS");
  }
  std::puts(all_agree ? "backward() agrees with autograd" : "backward() is wrong");
  return all_agree ? 0 : 1;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void run(const Options& options) {
  auto start = std::chrono::steady_clock::now();
  const data::ImageSet train =
      data::load_fashion_mnist(data::Split::train, options.data_dir, options.limit);
  const data::ImageSet test = data::load_fashion_mnist(data::Split::test, options.data_dir);
  const long long n = train.images.size(0);
  std::printf("Fashion-MNIST from %s: %lld training and %lld test images (read in %.2f s)\n",
              options.data_dir.c_str(), n, static_cast<long long>(test.images.size(0)),
              seconds_since(start));
  std::printf("784-32-784 autoencoder, ReLU and sigmoid, BCE loss, Adam lr 1e-3, batch %lld, "
              "seed %lld\n\n", options.batch_size, options.seed);

  Generator gen(static_cast<std::uint64_t>(options.seed));
  Autoencoder net = make_autoencoder(gen);
  Adam adam;
  Tensor batch = Tensor::empty({std::min(options.batch_size, n), D});

  std::printf("epoch  train BCE  test BCE  samples/s  elapsed\n");
  start = std::chrono::steady_clock::now();
  Errors test_errors{};
  for (long long epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    const double train_bce = train_epoch(net, adam, train.images, options.batch_size, batch, gen);
    const double train_seconds = seconds_since(epoch_start);
    test_errors = evaluate(net, test.images);
    std::printf("%5lld  %9.2f  %8.2f  %9.0f  %6.1f s\n", epoch, train_bce, test_errors.bce,
                static_cast<double>(n) / train_seconds, seconds_since(start));
    std::fflush(stdout);
  }

  // The linear baseline: PCA's best 32-dimensional linear code for squared error.
  start = std::chrono::steady_clock::now();
  const data::PCA pca = data::PCA::fit(train.images);
  const double pca_sse = pca.sse_per_image(test.images, H);
  std::printf("\ntest squared error per image (summed over 784 pixels)\n");
  std::printf("  autoencoder 784-32-784, %lld epochs  %8.3f\n", options.epochs, test_errors.sse);
  std::printf("  PCA, 32 components (fit: %.1f s)   %8.3f\n", seconds_since(start), pca_sse);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse_options(argc, argv);
    if (options.help) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (options.check) return check_gradients(static_cast<std::uint64_t>(options.seed));
    run(options);
    return 0;
  } catch (const xtgrad::Error& e) {
    std::fprintf(stderr, "manual_autoencoder: %s\n", e.what());
    return 2;
  }
}
