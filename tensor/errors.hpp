#pragma once
// The exceptions xtgrad throws. Every message names the operation and the shapes, dtypes,
// indices or file involved, so that a learner can act on it, in every build type.
//
//   try { matmul(a, b); } catch (const xtgrad::ShapeError& e) { std::cerr << e.what(); }
//   // matmul: cannot multiply (4, 3) by (5, 2): inner sizes 3 and 5 differ
#include <stdexcept>
#include <string>

namespace xtgrad {

// Base class of every xtgrad error: catch this to catch them all.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Work stopped on request (Ctrl-C, SIGTERM, SIGHUP): the message says what was kept and how
// to go on. nn::TrainingInterrupted is the kind thrown by training.
class Interrupted : public Error {
 public:
  using Error::Error;
};

// Shapes that do not fit together: broadcasting, matmul, reshape, concatenate, ...
class ShapeError : public Error {
 public:
  using Error::Error;
};

// Wrong or mismatched dtypes: float32 with float64, math on a bool tensor, ...
class DTypeError : public Error {
 public:
  using Error::Error;
};

// An index or axis out of range.
class IndexError : public Error {
 public:
  using Error::Error;
};

// An argument with a bad value: a negative size, a zero step, an undefined tensor, ...
class ValueError : public Error {
 public:
  using Error::Error;
};

// An allocation the machine cannot satisfy: a tensor larger than the memory there is.
class MemoryError : public Error {
 public:
  using Error::Error;
};

// A file that cannot be read or written, or whose content is not what it should be.
class FileError : public Error {
 public:
  using Error::Error;
};

}  // namespace xtgrad
