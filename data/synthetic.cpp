#include "data/synthetic.hpp"

#include <string>

#include "tensor/linalg.hpp"
#include "tensor/math.hpp"

namespace xtgrad::data {

Tensor low_rank_data(std::int64_t n, std::int64_t d, std::int64_t rank, double noise_std,
                     Generator& gen, DType dtype) {
  if (n < 0 || rank < 1 || rank > d || !(noise_std >= 0)) {
    throw ValueError("low_rank_data: need n >= 0, 1 <= rank <= d and noise_std >= 0, got n = " +
                     std::to_string(n) + ", d = " + std::to_string(d) + ", rank = " +
                     std::to_string(rank) + ", noise_std = " + std::to_string(noise_std));
  }
  const Tensor mu = uniform({d}, 0.0, 1.0, gen, dtype);             // (d,)
  const Tensor basis = randn({rank, d}, gen, dtype);                // (rank, d): A
  const Tensor codes = randn({n, rank}, gen, dtype);                // (n, rank): z
  const Tensor noise = normal({n, d}, 0.0, noise_std, gen, dtype);  // (n, d)
  return matmul(codes, basis) + mu + noise;                         // (n, d)
}

}  // namespace xtgrad::data
