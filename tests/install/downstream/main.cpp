// A downstream xtgrad: the library's command, knowing one more kind of model.
#include <autoencoders/cli.hpp>

#include "contractive.hpp"

int main(int argc, char** argv) {
  xtgrad::ae::register_kind(downstream::contractive_kind());
  return xtgrad::cli::run(argc, argv);
}
