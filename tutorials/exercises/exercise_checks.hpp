#pragma once
// The exercises, by chapter, each with the check that decides whether it is done
// (exercise_checks.cpp: the inputs and the library op each one is compared with).
#include <vector>

#include "checker.hpp"

namespace xtgrad::exercises {

struct Exercise {
  const char* name;  // also the file: mine/<name>.cpp, solutions/<name>.cpp
  int chapter;
  Outcome (*check)();
};

// All of them, in the book's order.
const std::vector<Exercise>& all_exercises();

}  // namespace xtgrad::exercises
