#pragma once
// Helpers shared by the tests that read Fashion-MNIST (data, autoencoders).
#include <filesystem>
#include <string>

#include <boost/test/unit_test.hpp>

#include "data/fashion_mnist.hpp"

namespace xtgrad::testing {

// A precondition decorator's predicate: true when the Fashion-MNIST files are installed
// (in default_fashion_mnist_dir()); otherwise the test case is skipped with a message.
//   BOOST_AUTO_TEST_CASE(real_data, *boost::unit_test::precondition(fashion_mnist_installed))
inline boost::test_tools::assertion_result fashion_mnist_installed(boost::unit_test::test_unit_id) {
  const std::string dir = data::default_fashion_mnist_dir();
  const bool present = std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz") &&
                       std::filesystem::exists(dir + "/t10k-images-idx3-ubyte.gz");
  boost::test_tools::assertion_result result(present);
  if (!present) {
    result.message() << "no Fashion-MNIST files in " << dir
                     << " (apt-get install dataset-fashion-mnist, or set XTGRAD_FASHION_MNIST_DIR)";
  }
  return result;
}

}  // namespace xtgrad::testing
