// check_exercises: runs the check of each gradient-checking exercise and prints one line
// per exercise, PASS or FAIL (with the failing element, the numeric and analytic values and
// a hint, or "not done yet"). Exit 0 only when every selected exercise passes.
//
//   check_exercises [--chapter N] [--exercise NAME] [--expect NAME=OUTCOME[:TEXT]]...
//
// --expect is for the tests of the exercises themselves (CMakeLists.txt): OUTCOME is pass,
// fail or not-done, NAME an exercise or `all`, and TEXT must appear in that exercise's line.
// With it, the exit code says whether every outcome was the expected one.
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "exercise_checks.hpp"

using namespace xtgrad::exercises;

namespace {

struct Expectation {
  Status status = Status::pass;
  std::string text;  // to be found in the exercise's line; empty: anything
};

struct Options {
  int chapter = 0;  // 0: all
  std::string exercise;
  std::map<std::string, Expectation> expect;  // by exercise name; "all" for the rest
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "check_exercises: " << message << "\n";
  std::exit(2);
}

bool known(const std::string& name) {
  for (const Exercise& e : all_exercises()) {
    if (name == e.name) return true;
  }
  return false;
}

// NAME=OUTCOME[:TEXT]
void add_expectation(Options& o, const std::string& arg) {
  const std::size_t eq = arg.find('=');
  if (eq == std::string::npos) usage_error("--expect takes NAME=OUTCOME[:TEXT], got '" + arg + "'");
  const std::string name = arg.substr(0, eq);
  const std::size_t colon = arg.find(':', eq);
  const std::string outcome =
      arg.substr(eq + 1, colon == std::string::npos ? std::string::npos : colon - eq - 1);
  Expectation e;
  if (outcome == "pass")
    e.status = Status::pass;
  else if (outcome == "fail")
    e.status = Status::fail;
  else if (outcome == "not-done")
    e.status = Status::not_done;
  else
    usage_error("--expect: the outcome must be pass, fail or not-done, got '" + outcome + "'");
  if (colon != std::string::npos) e.text = arg.substr(colon + 1);
  if (name != "all" && !known(name)) usage_error("--expect: no exercise named '" + name + "'");
  o.expect[name] = e;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << "usage: check_exercises [--chapter N] [--exercise NAME]"
                   " [--expect NAME=OUTCOME[:TEXT]]...\n";
      std::exit(0);
    }
    if (i + 1 >= argc)
      usage_error(arg == "--chapter" || arg == "--exercise" || arg == "--expect"
                      ? arg + " needs a value"
                      : "unknown argument '" + arg + "'");
    const std::string value = argv[++i];
    if (arg == "--chapter") {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || n < 1 || n > 99) {
        usage_error("--chapter takes a number, got '" + value + "'");
      }
      o.chapter = static_cast<int>(n);
    } else if (arg == "--exercise") {
      if (!known(value)) {
        usage_error("no exercise named '" + value + "' (tutorials/exercises/README.md lists them)");
      }
      o.exercise = value;
    } else if (arg == "--expect") {
      add_expectation(o, value);
    } else {
      usage_error("unknown argument '" + arg + "'");
    }
  }
  return o;
}

const char* word(Status s) {
  switch (s) {
    case Status::pass:
      return "pass";
    case Status::fail:
      return "fail";
    case Status::not_done:
      return "not-done";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  int selected = 0, passed = 0, not_done = 0, unexpected = 0;
  for (const Exercise& e : all_exercises()) {
    if ((options.chapter != 0 && e.chapter != options.chapter) ||
        (!options.exercise.empty() && options.exercise != e.name)) {
      continue;
    }
    ++selected;
    const Outcome outcome = e.check();
    const std::string line = (outcome.status == Status::pass ? "PASS " : "FAIL ") +
                             std::string(e.name) +
                             (outcome.detail.empty() ? "" : ": " + outcome.detail);
    std::cout << line << std::endl;
    passed += outcome.status == Status::pass;
    not_done += outcome.status == Status::not_done;
    if (!options.expect.empty()) {
      auto it = options.expect.find(e.name);
      if (it == options.expect.end()) it = options.expect.find("all");
      const Expectation expected = it == options.expect.end() ? Expectation{} : it->second;
      if (outcome.status != expected.status) {
        std::cout << "UNEXPECTED " << e.name << ": expected " << word(expected.status) << ", got "
                  << word(outcome.status) << "\n";
        ++unexpected;
      } else if (line.find(expected.text) == std::string::npos) {
        std::cout << "UNEXPECTED " << e.name << ": its line lacks the text '" << expected.text
                  << "'\n";
        ++unexpected;
      }
    }
  }
  if (selected == 0) {
    usage_error("no exercise in chapter " + std::to_string(options.chapter) +
                (options.exercise.empty() ? "" : " is named '" + options.exercise + "'"));
  }
  std::cout << passed << " of " << selected << " exercises pass";
  if (not_done > 0) std::cout << ", " << not_done << " not done yet";
  std::cout << "\n";
  if (!options.expect.empty()) {
    if (unexpected == 0)
      std::cout << "every outcome as expected\n";
    else
      std::cout << unexpected << " unexpected outcome(s)\n";
    return unexpected == 0 ? 0 : 1;
  }
  return passed == selected ? 0 : 1;
}
