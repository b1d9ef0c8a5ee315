#pragma once
// Chapter 5: a one-hidden-layer autoencoder whose gradients are derived by hand.
//
// The basic autoencoder of F. Chollet's "Building Autoencoders in Keras" (2016,
// https://blog.keras.io/building-autoencoders-in-keras.html): 784 pixels -> 32 ReLU units ->
// 784 sigmoid outputs with a binary cross-entropy loss. The backward pass is the chain rule
// written out, one line per gradient, with nothing but tensor operations: this header
// includes tensor/ only, and the training program links nothing that knows about gradients.
// check_by_hand.cpp compares backward() with what autograd derives from the same forward pass.
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
#include <array>
#include <cmath>
#include <cstdint>

#include "tensor/all.hpp"

namespace xtgrad::by_hand {

inline constexpr std::int64_t D = 784;  // input pixels
inline constexpr std::int64_t H = 32;   // hidden units

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
inline Tensor glorot_uniform(std::int64_t fan_in, std::int64_t fan_out, Generator& gen) {
  const double r = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform({fan_in, fan_out}, -r, r, gen);
}

inline Autoencoder make_autoencoder(Generator& gen) {
  return Autoencoder{Param(glorot_uniform(D, H, gen)), Param(zeros({H})),
                     Param(glorot_uniform(H, D, gen)), Param(zeros({D}))};
}

// The forward pass, keeping what the backward pass needs: a for the ReLU mask, h for
// grad_W2, x_hat for grad_z (z only for the loss).
struct Forward {
  Tensor a, h, z, x_hat;
};  // (N, H), (N, H), (N, D), (N, D)

// [book:forward]
inline Forward forward(const Autoencoder& net, const Tensor& x) {
  Forward f;
  f.a = matmul(x, net.w1.value) + net.b1.value;    // (N, H) = (N, D) (D, H) + (H,)
  f.h = relu(f.a);                                 // (N, H)
  f.z = matmul(f.h, net.w2.value) + net.b2.value;  // (N, D) = (N, H) (H, D) + (D,)
  f.x_hat = sigmoid(f.z);                          // (N, D), each pixel in (0, 1)
  return f;
}
// [/book:forward]

// sum_n sum_d bce(x, sigmoid(z)), computed from the logits z:
//   bce = -x log sigmoid(z) - (1 - x) log(1 - sigmoid(z)) = max(z, 0) - x z + log(1 + exp(-|z|))
// NOTE: log(x_hat) itself is -inf once sigmoid(z) rounds to 0 (z < -88 in float32) and
// log(1 - x_hat) once it rounds to 1 (z > 17); the right-hand form is finite for every z.
inline double bce_sum(const Tensor& x, const Tensor& z) {
  return sum(relu(z) - x * z + log1p(exp(-abs(z)))).item();
}

// Fills every grad of `net` for the batch x. Each parameter is used once in the forward pass,
// so its gradient is a single term: assigned here, not accumulated.
// [book:backward]
inline void backward(Autoencoder& net, const Tensor& x, const Forward& f) {
  const double n = static_cast<double>(x.size(0));
  // dL/dz for sigmoid + BCE: -x/y + (1-x)/(1-y) times y(1-y) leaves y - x (y = x_hat).
  const Tensor grad_z = (f.x_hat - x) / n;                          // (N, D)
  net.w2.grad = matmul(f.h, grad_z, true, false);                   // (H, D) = (N, H)^T (N, D)
  net.b2.grad = sum(grad_z, {0});                                   // (D,)
  const Tensor grad_h = matmul(grad_z, net.w2.value, false, true);  // (N, H) = (N, D) (H, D)^T
  // relu'(a) is 1 where a > 0 and 0 elsewhere. NOTE: at a = 0 exactly we take 0.
  const Tensor grad_a = where(f.a > 0.0, grad_h, scalar_tensor(0.0, grad_h.dtype()));  // (N, H)
  net.w1.grad = matmul(x, grad_a, true, false);  // (D, H) = (N, D)^T (N, H)
  net.b1.grad = sum(grad_a, {0});                // (H,)
}
// [/book:backward]

// Adam: D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
// arXiv:1412.6980, Algorithm 1, with the paper's default hyper-parameters.
// [book:adam]
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
// [/book:adam]

}  // namespace xtgrad::by_hand
