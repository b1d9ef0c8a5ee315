#pragma once
// Shapes, axes and NumPy broadcasting rules.
//
// A shape lists the size of each axis, outermost first: an (N, D) batch is Shape{N, D}.
// Sizes are signed (as in PyTorch) so that reshape can take -1 and axes can count from the
// end: axis -1 is the last axis.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "tensor/memory/dim_vector.hpp"

namespace xtgrad {

// Both are short lists of int64, held inline (see memory/dim_vector.hpp).
using Shape = DimVector;
using Axes = DimVector;

// "(4, 3)"; a 0-d shape prints as "()" and a 1-d one as "(5,)", as in Python.
std::string shape_str(const Shape& shape);
std::ostream& operator<<(std::ostream& os, const Shape& shape);

// Product of the sizes; 1 for the 0-d shape (). ValueError when it overflows int64.
std::int64_t shape_numel(const Shape& shape);

// Throws ValueError naming `op` if a size is negative or the element count overflows int64;
// returns the element count otherwise.
std::int64_t check_shape(const char* op, const Shape& shape);

// Maps axis in [-ndim, ndim) to [0, ndim); throws IndexError naming `op` otherwise.
std::int64_t normalize_axis(const char* op, std::int64_t axis, std::int64_t ndim);

// The NumPy broadcast of two shapes: align them on the right; each pair of sizes must be
// equal or contain a 1. Throws ShapeError naming `op` and both shapes.
//   broadcast_shapes("add", {4, 3}, {3}) == {4, 3};  {2, 1} with {1, 5} gives {2, 5}
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

}  // namespace xtgrad
