#pragma once
// The command line every chapter program accepts (book conventions):
//   --short      the CI mode (seconds; programs that take no time ignore it)
//   --out DIR    where the program writes files (default: the current folder); scripts/book
//                record passes the chapter's recorded/ folder
// plus any options a program names, each taking one value. Anything else is a bad argument:
// one line on stderr and exit code 2.
#include <cstdlib>
#include <initializer_list>
#include <iostream>
#include <map>
#include <string>

namespace book {

struct ProgramArgs {
  bool short_mode = false;
  std::string out = ".";
  std::map<std::string, std::string> options;  // the program's own, e.g. {"--check-numpy", path}
};

inline ProgramArgs parse_program_args(int argc, char** argv, const char* program,
                                      std::initializer_list<const char*> with_value = {}) {
  ProgramArgs args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    bool known = arg == "--out";
    for (const char* name : with_value) known = known || arg == name;
    if (arg == "--short") {
      args.short_mode = true;
    } else if (known && i + 1 < argc) {
      (arg == "--out" ? args.out : args.options[arg]) = argv[++i];
    } else {
      std::cerr << program << ": bad argument '" << arg << "' (options: --short, --out DIR";
      for (const char* name : with_value) std::cerr << ", " << name << " VALUE";
      std::cerr << ")\n";
      std::exit(2);
    }
  }
  return args;
}

}  // namespace book
