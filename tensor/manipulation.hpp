#pragma once
// Joining, splitting, broadcasting and gathering tensors.
// (Reshape, rows, transpose and permute are methods of Tensor.)
#include <vector>

#include "tensor/tensor.hpp"

namespace xtgrad {

// Joins tensors along an existing axis; all other sizes and the dtypes must match.
//   concatenate({a (2, 3), b (4, 3)}, 0) -> (6, 3)
Tensor concatenate(const std::vector<Tensor>& tensors, std::int64_t axis = 0);
// Joins tensors of one shape along a new axis: stack({a (3,), b (3,)}, 0) -> (2, 3).
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis = 0);

// x copied out to a broadcast `shape` (ShapeError if x does not broadcast to it).
Tensor broadcast_to(const Tensor& x, const Shape& shape);

// The rows (slices along axis 0) listed in `rows`, in that order: a mini-batch.
//   gather_rows(images (60000, 784), {7, 3, 9}) -> (3, 784)
// Each row is one contiguous block copy. IndexError names the first bad index.
Tensor gather_rows(const Tensor& x, const std::vector<std::int64_t>& rows);
// Same, into an existing tensor of shape (rows.size(), ...) and x's dtype, so that a data
// loader can reuse one batch buffer.
void gather_rows_into(Tensor& out, const Tensor& x, const std::vector<std::int64_t>& rows);

}  // namespace xtgrad
