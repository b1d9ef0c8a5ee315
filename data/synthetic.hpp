#pragma once
// Small data sets with a known structure, for tests and for trying a model in a second.
#include <cstdint>

#include "tensor/random.hpp"
#include "tensor/tensor.hpp"

namespace xtgrad::data {

// n points in d dimensions near a random rank-dimensional affine subspace:
//
//   x_i = mu + z_i A + noise_std * e_i      (d,)
//
// with mu ~ U(0, 1)^d (so that centring matters), z_i ~ N(0, I_rank), A (rank, d) with
// N(0, 1) entries, and e_i ~ N(0, I_d). Along the subspace the variance is about d per
// direction; off it, noise_std^2. A PCA with k = rank components therefore leaves about
// noise_std^2 * (d - rank) of squared error per point, and no rank-k model can do better.
// ValueError unless n >= 0, 1 <= rank <= d and noise_std >= 0. Returns (n, d) of `dtype`.
Tensor low_rank_data(std::int64_t n, std::int64_t d, std::int64_t rank, double noise_std,
                     Generator& gen, DType dtype = DType::float32);

}  // namespace xtgrad::data
