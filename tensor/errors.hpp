#pragma once
// The exceptions xtgrad throws. Every message names the operation and the shapes, dtypes,
// indices or file involved, so that a learner can act on it, in every build type.
//
//   try { matmul(a, b); } catch (const xtgrad::ShapeError& e) { std::cerr << e.what(); }
//   // matmul: cannot multiply (4, 3) by (5, 2): inner sizes 3 and 5 differ
#include <cstddef>
#include <cstdio>
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

namespace detail {
// excerpt() and quote() (below): at most 40 bytes of `text`, control characters escaped.
// NOTE: the cut backs up to the start of a UTF-8 character, so the excerpt is valid UTF-8.
inline std::string cut(const std::string& text, bool in_quotes) {
  constexpr std::size_t kShown = 40;
  std::size_t shown = text.size();
  if (shown > kShown) {
    shown = kShown;
    while (shown > 0 && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80) --shown;
  }
  std::string out = in_quotes ? "\"" : "";
  for (std::size_t i = 0; i < shown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (shown == text.size()) return in_quotes ? out + "\"" : out;
  return out + (in_quotes ? "...\"" : "...") + " (" + std::to_string(text.size()) + " bytes)";
}
}  // namespace detail

// Text from the user's input as a message shows it: control characters escaped (\n, \u0001), so
// the message stays one line, and past 40 bytes only the first 40, "..." and the size, so a
// 50 MB value makes a short message. quote() puts it in double quotes.
//   excerpt("[1, 2]") == "[1, 2]"          excerpt(50 MB of x) == "xxx...x... (52428800 bytes)"
//   quote("he") == "\"he\""                quote(50 MB of x) == "\"xxx...x...\" (52428800 bytes)"
inline std::string excerpt(const std::string& text) { return detail::cut(text, false); }
inline std::string quote(const std::string& text) { return detail::cut(text, true); }

}  // namespace xtgrad
