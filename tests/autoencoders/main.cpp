#define BOOST_TEST_MODULE autoencoders
#include <boost/test/unit_test.hpp>
