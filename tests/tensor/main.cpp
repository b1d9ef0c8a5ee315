// The test module's main(). Each tests/tensor/test_*.cpp adds its own suites.
#define BOOST_TEST_MODULE tensor
#include <boost/test/unit_test.hpp>
