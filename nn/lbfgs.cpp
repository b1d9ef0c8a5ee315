// L-BFGS with an optional strong-Wolfe line search, ported line by line from PyTorch 1.13's
// torch/optim/lbfgs.py (itself a port of Lua torch's optim.lbfgs, after minFunc).
//
// References: J. Nocedal and S. J. Wright, "Numerical Optimization", 2nd ed., Springer 2006:
// algorithm 7.4 (the two-loop recursion), eq. 7.20 (the initial Hessian scale), algorithms 3.5
// and 3.6 (line search and zoom for the strong Wolfe conditions), eq. 3.59 (cubic
// interpolation); https://pytorch.org/docs/1.13/generated/torch.optim.LBFGS.html.
//
// All parameters are seen as one flat float64 vector x (the parameters' elements in order);
// g is the flat gradient, d the search direction, t the step length. The history keeps pairs
//   s_k = t d           (the step taken: old_steps_)
//   y_k = g_new - g_old (the change of gradient: old_dirs_, PyTorch's name)
// and the two-loop recursion turns -g into d = -H g, H the L-BFGS inverse-Hessian estimate.
//
// The history is held (and saved) in the parameters' dtype, as PyTorch holds it: float32 for a
// float32 model, float64 if any parameter is float64; d, g and the two-loop recursion stay
// float64. Only the pairs in use are kept: k = min(accepted pairs, history_size).
//
// State dict (global, not per parameter): "func_evals", "n_iter", "t", "prev_loss", "h_diag"
// (0-d), "d" and "prev_flat_grad" (flat float64), and "old_dirs.<k>", "old_steps.<k>" for the
// history (flat, the parameters' dtype). For n parameter elements its data takes
//   bytes = 2 * n * 8  +  2 * k * n * sizeof(history dtype)  +  5 * 8
// e.g. 245 MB for n = 300k float32 elements and a full history of 100 pairs (an .npz adds
// about 200 bytes per member).
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "nn/optimizers.hpp"
#include "tensor/creation.hpp"
#include "tensor/manipulation.hpp"
#include "tensor/math.hpp"
#include "tensor/reduce.hpp"

namespace xtgrad::nn {
namespace {

double dot(const Tensor& a, const Tensor& b) { return sum(a * b).item(); }
double max_abs(const Tensor& x) { return max(abs(x)).item(); }

// The minimiser of the cubic that matches f and its derivative g at x1 and x2, clamped to
// [lo, hi] (by default the interval between x1 and x2); the middle of it when the cubic has no
// minimum. Nocedal & Wright eq. 3.59.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         double lo, double hi) {
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square < 0) return (lo + hi) / 2.0;
  const double d2 = std::sqrt(d2_square);
  const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                  : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return std::min(std::max(min_pos, lo), hi);
}

double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2) {
  return cubic_interpolate(x1, f1, g1, x2, f2, g2, std::min(x1, x2), std::max(x1, x2));
}

// f and the flat gradient at x + t d.
using LineFunction = std::function<std::pair<double, Tensor>(double t)>;

struct LineSearchResult {
  double loss;
  Tensor grad;
  double t;
  int evaluations;
};

// A step t along d that satisfies the strong Wolfe conditions
//   f(x + t d) <= f + c1 t g.d   (sufficient decrease)    |g(x + t d).d| <= -c2 g.d   (curvature)
// from f, g = f(x), grad f(x) and gtd = g.d < 0. Phase 1 grows t until it brackets such a
// point; phase 2 ("zoom") shrinks the bracket by cubic interpolation. PyTorch's _strong_wolfe.
LineSearchResult strong_wolfe(const LineFunction& phi, double t, const Tensor& d, double f,
                              const Tensor& g, double gtd, double tolerance_change) {
  const double c1 = 1e-4, c2 = 0.9;
  const int max_ls = 25;
  const double d_norm = max_abs(d);
  double f_new = 0.0;
  Tensor g_new;
  std::tie(f_new, g_new) = phi(t);
  int evaluations = 1;
  double gtd_new = dot(g_new, d);

  // Phase 1: bracket an interval containing a point satisfying the Wolfe criteria.
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  Tensor g_prev = g;
  std::vector<double> bracket, bracket_f, bracket_gtd;
  std::vector<Tensor> bracket_g;
  bool done = false;
  int ls_iter = 0;
  while (ls_iter < max_ls) {
    if (f_new > f + c1 * t * gtd || (ls_iter > 1 && f_new >= f_prev)) {
      bracket = {t_prev, t}, bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new}, bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {
      bracket = {t}, bracket_f = {f_new}, bracket_g = {g_new};
      done = true;
      break;
    }
    if (gtd_new >= 0) {
      bracket = {t_prev, t}, bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new}, bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    // Extrapolate: the cubic's minimiser, kept within [t + 0.01 (t - t_prev), 10 t].
    const double t_next = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                            t + 0.01 * (t - t_prev), t * 10);
    t_prev = t, f_prev = f_new, g_prev = g_new, gtd_prev = gtd_new;
    t = t_next;
    std::tie(f_new, g_new) = phi(t);
    evaluations += 1;
    gtd_new = dot(g_new, d);
    ls_iter += 1;
  }
  if (ls_iter == max_ls) {  // no bracket found: keep the best of 0 and t
    bracket = {0, t}, bracket_f = {f, f_new}, bracket_g = {g, g_new}, bracket_gtd = {gtd, gtd_new};
  }

  // Phase 2 (zoom): refine the bracket until a point satisfies the conditions.
  bool insufficient_progress = false;
  std::size_t low = bracket_f.front() <= bracket_f.back() ? 0 : 1, high = 1 - low;
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;  // tiny bracket
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1],
                          bracket_gtd[1]);
    // A trial point within 10% of the bracket's length from an end makes little progress: if
    // it did so last time too, or lies on an end, move it to 10% away from the nearest end.
    const double b_max = std::max(bracket[0], bracket[1]), b_min = std::min(bracket[0], bracket[1]);
    const double eps = 0.1 * (b_max - b_min);
    if (std::min(b_max - t, t - b_min) < eps) {
      if (insufficient_progress || t >= b_max || t <= b_min) {
        t = std::abs(t - b_max) < std::abs(t - b_min) ? b_max - eps : b_min + eps;
        insufficient_progress = false;
      } else {
        insufficient_progress = true;
      }
    } else {
      insufficient_progress = false;
    }
    std::tie(f_new, g_new) = phi(t);
    evaluations += 1;
    gtd_new = dot(g_new, d);
    ls_iter += 1;

    if (f_new > f + c1 * t * gtd || f_new >= bracket_f[low]) {
      // Not a sufficient decrease, or not below the low end: t becomes the high end.
      bracket[high] = t, bracket_f[high] = f_new;
      bracket_g[high] = g_new, bracket_gtd[high] = gtd_new;
      low = bracket_f[0] <= bracket_f[1] ? 0 : 1, high = 1 - low;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;  // the Wolfe conditions hold
      } else if (gtd_new * (bracket[high] - bracket[low]) >= 0) {
        // The old low end becomes the high end.
        bracket[high] = bracket[low], bracket_f[high] = bracket_f[low];
        bracket_g[high] = bracket_g[low], bracket_gtd[high] = bracket_gtd[low];
      }
      bracket[low] = t, bracket_f[low] = f_new, bracket_g[low] = g_new, bracket_gtd[low] = gtd_new;
    }
  }
  return {bracket_f[low], bracket_g[low], bracket[low], evaluations};
}

// A 0-d tensor for the state dict.
Tensor scalar_state(double value) { return Tensor(std::vector<double>{value}, {}); }
Tensor count_state(std::int64_t value) { return Tensor(std::vector<std::int64_t>{value}, {}); }

}  // namespace

LBFGS::LBFGS(std::vector<Variable> parameters, LBFGSOptions options)
    : Optimizer(std::move(parameters), options.lr), options_(options) {
  check_option(options.lr >= 0.0, "lr", options.lr, "must be >= 0");
  check_option(options.max_iter >= 1, "max_iter", options.max_iter, "must be >= 1");
  check_option(options.max_eval >= 1, "max_eval", options.max_eval, "must be >= 1");
  check_option(options.history_size >= 1, "history_size", options.history_size, "must be >= 1");
  for (const Variable& p : parameters_) {
    if (p.dtype() != DType::float32) history_dtype_ = DType::float64;
  }
}

// NOTE: counted at 8 bytes per element, history included: load_state_dict also takes a float64
// history for float32 parameters (and rounds it), as a checkpoint may hold one.
std::uint64_t LBFGS::max_state_bytes() const {
  std::uint64_t n = 0;
  for (const Variable& p : parameters_) n += static_cast<std::uint64_t>(p.numel());
  const std::uint64_t pairs = static_cast<std::uint64_t>(options_.history_size);
  return (2 + 2 * pairs) * n * sizeof(double) + 4096;
}

void LBFGS::step() {
  throw ValueError(
      "LBFGS: step() needs a closure that clears the gradients, computes the loss, calls "
      "backward and returns the loss: call step(closure)");
}

double LBFGS::step(const std::function<double()>& closure) {
  NoGradGuard no_grad;
  // f(x) and the flat gradient, with gradients recorded whatever the caller's mode.
  auto evaluate = [&]() {
    double loss = 0.0;
    {
      GradModeGuard grad_on(true);
      loss = closure();
    }
    std::vector<Tensor> grads;
    for (const Variable& p : parameters_) {
      grads.push_back(p.grad().defined() ? p.grad().data().to(DType::float64).reshape({-1})
                                         : zeros({p.numel()}, DType::float64));
    }
    return std::make_pair(loss, concatenate(grads));
  };
  // x = x + step * update, parameter by parameter (in each parameter's dtype).
  auto add_to_parameters = [&](double step, const Tensor& update) {
    std::int64_t offset = 0;
    for (const Variable& p : parameters_) {
      const Tensor part = update.rows(offset, offset + p.numel()).reshape(p.shape());
      p.data().add_(part.to(p.dtype()), step);
      offset += p.numel();
    }
  };

  double loss = 0.0;
  Tensor flat_grad;
  std::tie(loss, flat_grad) = evaluate();
  const double orig_loss = loss;
  int current_evals = 1;
  func_evals_ += 1;
  bool opt_cond = max_abs(flat_grad) <= options_.tolerance_grad;
  if (opt_cond) return orig_loss;  // already at a stationary point

  int n_iter = 0;
  while (n_iter < options_.max_iter) {
    n_iter += 1;
    n_iter_ += 1;

    // --- direction d = -H g (two-loop recursion) ---------------------------------------------
    if (n_iter_ == 1) {
      d_ = -flat_grad;  // d = -g
      old_dirs_.clear(), old_steps_.clear();
      h_diag_ = 1.0;
    } else {
      const Tensor y = flat_grad - prev_flat_grad_;  // y = g_new - g_old
      const Tensor s = d_ * t_;                      // s = t d
      const double ys = dot(y, s);
      if (ys > 1e-10) {  // keep the pair only if the curvature y.s is positive (H stays positive)
        if (static_cast<int>(old_dirs_.size()) == options_.history_size) {
          old_dirs_.erase(old_dirs_.begin()), old_steps_.erase(old_steps_.begin());
        }
        old_dirs_.push_back(y.to(history_dtype_)), old_steps_.push_back(s.to(history_dtype_));
        h_diag_ = ys / dot(y, y);  // H0 = (y.s / y.y) I   (N&W eq. 7.20)
      }
      const std::size_t k = old_dirs_.size();
      std::vector<double> rho(k), alpha(k);
      // NOTE: each pair is widened to float64 where it is used, one at a time: a float64 copy
      // of the whole history would double the memory that holding it in float32 saves.
      auto y_at = [&](std::size_t i) { return old_dirs_[i].to(DType::float64); };
      auto s_at = [&](std::size_t i) { return old_steps_[i].to(DType::float64); };
      Tensor q = -flat_grad;  // q = -g
      for (std::size_t i = k; i-- > 0;) {
        const Tensor y_i = y_at(i), s_i = s_at(i);
        rho[i] = 1.0 / dot(y_i, s_i);     // rho_i = 1 / (y_i.s_i)
        alpha[i] = dot(s_i, q) * rho[i];  // alpha_i = rho_i s_i.q
        q.add_(y_i, -alpha[i]);           // q = q - alpha_i y_i
      }
      Tensor r = q * h_diag_;  // r = H0 q
      for (std::size_t i = 0; i < k; ++i) {
        const double beta = dot(y_at(i), r) * rho[i];  // beta_i = rho_i y_i.r
        r.add_(s_at(i), alpha[i] - beta);              // r = r + (alpha_i - beta_i) s_i
      }
      d_ = r;
    }
    prev_flat_grad_ = flat_grad.clone();
    prev_loss_ = loss;

    // --- step length t ---------------------------------------------------------------------------
    // The very first step is scaled down to length at most lr in the L1 norm of g.
    const double lr = learning_rate();
    t_ = n_iter_ == 1 ? std::min(1.0, 1.0 / sum(abs(flat_grad)).item()) * lr : lr;
    const double gtd = dot(flat_grad, d_);        // directional derivative g.d
    if (gtd > -options_.tolerance_change) break;  // d is no longer a descent direction

    int ls_evals = 0;
    if (options_.strong_wolfe) {
      std::vector<Tensor> x_init;
      for (const Variable& p : parameters_) x_init.push_back(p.data().clone());
      auto phi = [&](double t) {  // f and g at x + t d; the parameters are restored after
        add_to_parameters(t, d_);
        auto result = evaluate();
        for (std::size_t i = 0; i < parameters_.size(); ++i) parameters_[i].data().copy_(x_init[i]);
        return result;
      };
      const LineSearchResult ls =
          strong_wolfe(phi, t_, d_, loss, flat_grad, gtd, options_.tolerance_change);
      loss = ls.loss, flat_grad = ls.grad, t_ = ls.t, ls_evals = ls.evaluations;
      add_to_parameters(t_, d_);  // x = x + t d
      opt_cond = max_abs(flat_grad) <= options_.tolerance_grad;
    } else {
      add_to_parameters(t_, d_);          // x = x + t d, fixed t = lr
      if (n_iter != options_.max_iter) {  // no evaluation after the last iteration
        std::tie(loss, flat_grad) = evaluate();
        opt_cond = max_abs(flat_grad) <= options_.tolerance_grad;
        ls_evals = 1;
      }
    }
    current_evals += ls_evals;
    func_evals_ += ls_evals;

    // --- stopping tests ------------------------------------------------------------------------
    if (n_iter == options_.max_iter) break;
    if (current_evals >= options_.max_eval) break;
    if (opt_cond) break;                                                 // |g|_max small
    if (max_abs(d_ * t_) <= options_.tolerance_change) break;            // tiny step
    if (std::abs(loss - prev_loss_) < options_.tolerance_change) break;  // no progress
  }
  return orig_loss;
}

StateDict LBFGS::state_dict() const {
  StateDict state = {{"func_evals", count_state(func_evals_)},
                     {"n_iter", count_state(n_iter_)},
                     {"t", scalar_state(t_)},
                     {"prev_loss", scalar_state(prev_loss_)},
                     {"h_diag", scalar_state(h_diag_)}};
  if (d_.defined()) state.emplace_back("d", d_);
  if (prev_flat_grad_.defined()) state.emplace_back("prev_flat_grad", prev_flat_grad_);
  for (std::size_t k = 0; k < old_dirs_.size(); ++k) {
    state.emplace_back("old_dirs." + std::to_string(k), old_dirs_[k]);
    state.emplace_back("old_steps." + std::to_string(k), old_steps_[k]);
  }
  return state;
}

void LBFGS::load_state_dict(const StateDict& state) {
  std::vector<std::string> names = {"func_evals", "n_iter",        "t", "prev_loss", "h_diag",
                                    "d",          "prev_flat_grad"};
  for (int k = 0; k < options_.history_size; ++k) {
    names.push_back("old_dirs." + std::to_string(k));
    names.push_back("old_steps." + std::to_string(k));
  }
  check_state_keys(state, {}, names);
  std::int64_t numel = 0;
  for (const Variable& p : parameters_) numel += p.numel();
  // A flat vector of every parameter's elements, copied, in `dtype`; undefined when absent.
  auto flat = [&](const std::string& key, DType dtype) {
    const Tensor* value = find(state, key);
    if (value == nullptr) return Tensor();
    if (value->shape() != Shape{numel}) {
      throw ShapeError("LBFGS: load_state_dict: \"" + key + "\" has shape " +
                       shape_str(value->shape()) + " but the parameters have " +
                       std::to_string(numel) + " elements in all");
    }
    return value->clone().to(dtype);
  };
  auto number = [&](const std::string& key, double otherwise) {
    const Tensor* value = find(state, key);
    return value != nullptr ? value->item() : otherwise;
  };
  func_evals_ = static_cast<std::int64_t>(number("func_evals", 0));
  n_iter_ = static_cast<std::int64_t>(number("n_iter", 0));
  t_ = number("t", 0.0), prev_loss_ = number("prev_loss", 0.0), h_diag_ = number("h_diag", 1.0);
  d_ = flat("d", DType::float64), prev_flat_grad_ = flat("prev_flat_grad", DType::float64);
  old_dirs_.clear(), old_steps_.clear();
  for (int k = 0; find(state, "old_dirs." + std::to_string(k)) != nullptr; ++k) {
    old_dirs_.push_back(flat("old_dirs." + std::to_string(k), history_dtype_));
    old_steps_.push_back(flat("old_steps." + std::to_string(k), history_dtype_));
    if (!old_steps_.back().defined()) {
      throw ValueError("LBFGS: load_state_dict: \"old_dirs." + std::to_string(k) +
                       "\" has no matching \"old_steps." + std::to_string(k) + "\"");
    }
  }
}

}  // namespace xtgrad::nn
