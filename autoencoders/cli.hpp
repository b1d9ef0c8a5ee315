#pragma once
// The xtgrad command as a library function, so that a project with its own model kinds builds
// the whole command for them in three lines:
//
//   int main(int argc, char** argv) {
//     xtgrad::ae::register_kind(contractive_kind());  // model_kinds.hpp
//     return xtgrad::cli::run(argc, argv);
//   }
//
// (This repository's own xtgrad is autoencoders/cli/main.cpp, the same without the kind.)
namespace xtgrad::cli {

// Parses the command line (`xtgrad --help` lists the commands), runs the command and returns the
// process's exit code: 0, 2 for a bad command line, 130 for an interrupted run, 1 for any other
// error, each error one line on stderr. `train` installs handlers for SIGINT, SIGTERM and SIGHUP.
int run(int argc, char** argv);

}  // namespace xtgrad::cli
