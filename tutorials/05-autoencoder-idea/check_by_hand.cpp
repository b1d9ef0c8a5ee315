// Chapter 5: are the gradients of autoencoder_by_hand.hpp right? backward() against autograd.
//
// A gradient derived by hand can be wrong and still train: with a sign error in one line the
// loss may go down for a while, or just more slowly. This program does not train. It computes
// the four gradients with backward() and again with autograd (chapter 3), which derives them
// from the same forward pass written with Variables, on 8 random images in float64, and prints
// the largest difference of each relative to the gradient's size. Rounding leaves about 1e-16;
// above 1e-10 is a mistake.
//
// Then it proves that the comparison can fail: it flips the sign of grad_b1, as a slip in
// backward() would, and checks that exactly that gradient is reported.
//
//   ch05_check_by_hand [--short] [--seed S] [--out DIR]   (--short and --out change nothing)
//
// Exit 0 when backward() agrees with autograd and the planted sign error is caught; 1 if not.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "autoencoder_by_hand.hpp"
#include "autograd/all.hpp"

using namespace xtgrad;
using namespace xtgrad::by_hand;

namespace {

constexpr std::int64_t N = 8;  // random images

// The same loss as backward()'s, L = (1/N) sum_n sum_d bce, recorded on autograd's tape.
// Returns the four gradients in the order of Autoencoder::parameters().
// [book:autograd]
std::array<Tensor, 4> autograd_gradients(const Autoencoder& net, const Tensor& x) {
  const Variable w1(net.w1.value, true), b1(net.b1.value, true), w2(net.w2.value, true),
      b2(net.b2.value, true), xv(x);
  const Variable h = relu(matmul(xv, w1) + b1);  // (N, H)
  const Variable z = matmul(h, w2) + b2;         // (N, D)
  const Variable loss = sum(relu(z) - xv * z + log1p(exp(-abs(z)))) / static_cast<double>(N);
  loss.backward();
  return {w1.grad().data(), b1.grad().data(), w2.grad().data(), b2.grad().data()};
}
// [/book:autograd]

// Prints one line per gradient; returns, per gradient, whether it agrees with autograd's.
std::array<bool, 4> compare(Autoencoder& net, const std::array<Tensor, 4>& reference) {
  const std::array<const char*, 4> names = {"grad_W1", "grad_b1", "grad_W2", "grad_b2"};
  std::array<bool, 4> agrees{};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Tensor& mine = net.parameters()[i]->grad;
    const double scale = max(abs(reference[i])).item();
    const double error = max(abs(mine - reference[i])).item() / scale;  // relative to its size
    agrees[i] = error <= 1e-10;
    std::printf("  %-8s max |difference| / max |gradient| = %.1e  %s\n", names[i], error,
                agrees[i] ? "ok" : "DIFFERS");
  }
  return agrees;
}

int run(std::uint64_t seed) {
  Generator gen(seed);
  Autoencoder net = make_autoencoder(gen);
  for (Param* p : net.parameters()) *p = Param(p->value.to(DType::float64));
  const Tensor x = rand({N, D}, gen, DType::float64);  // pixels in [0, 1)
  const std::array<Tensor, 4> reference = autograd_gradients(net, x);

  std::printf("hand-derived gradients against autograd's, %lld random images, float64\n",
              static_cast<long long>(N));
  backward(net, x, forward(net, x));
  const std::array<bool, 4> correct = compare(net, reference);
  const bool all_agree = correct[0] && correct[1] && correct[2] && correct[3];
  std::puts(all_agree ? "backward() agrees with autograd" : "backward() is wrong");

  // [book:planted]
  std::printf("\nthe same comparison with the sign of grad_b1 flipped (a planted bug)\n");
  net.b1.grad = neg(net.b1.grad);
  const std::array<bool, 4> planted = compare(net, reference);
  const bool caught = planted[0] && !planted[1] && planted[2] && planted[3];
  // [/book:planted]
  std::puts(caught ? "the planted sign error is caught, in grad_b1 only"
                   : "the planted sign error is NOT caught where it is");
  std::printf("result gradients_agree %d\n", all_agree ? 1 : 0);
  std::printf("result planted_sign_caught %d\n", caught ? 1 : 0);
  return all_agree && caught ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--short") continue;  // the check takes well under a second either way
    if (flag == "--out" && i + 1 < argc) {
      ++i;
      continue;
    }  // it writes no file
    if (flag == "--seed" && i + 1 < argc) {
      char* end = nullptr;
      seed = std::strtoull(argv[++i], &end, 10);
      if (*end == '\0') continue;
    }
    std::fprintf(stderr, "usage: ch05_check_by_hand [--short] [--seed S] (bad argument '%s')\n",
                 argv[i]);
    return 2;
  }
  try {
    return run(seed);
  } catch (const xtgrad::Error& e) {
    std::fprintf(stderr, "ch05_check_by_hand: %s\n", e.what());
    return 2;
  }
}
