// The xtgrad command: the library's command line (autoencoders/cli.hpp) with the built-in kinds.
#include "autoencoders/cli.hpp"

int main(int argc, char** argv) { return xtgrad::cli::run(argc, argv); }
