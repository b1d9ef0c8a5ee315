#pragma once
// The one "throws with this message" check of the tests:
//   check_throws<ShapeError>([&] { matmul(a, b); }, {"matmul", "(4, 3)", "(5, 2)"});
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace xtgrad::testing {

// Calls f and checks that it throws E whose message contains every one of `parts`; returns
// the message ("" when nothing was thrown), for checks of its own. Another exception type
// escapes, and the test case fails naming it.
template <class E, class F>
std::string check_throws(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const E& e) {
    const std::string message = e.what();
    // A failure shows at most 300 bytes: a test of a hostile 50 MB value must not print it.
    const std::string shown = message.size() <= 300 ? message : message.substr(0, 300) + "...";
    for (const std::string& part : parts) {
      BOOST_TEST(message.find(part) != std::string::npos,
                 "message \"" << shown << "\" does not contain \"" << part << "\"");
    }
    return message;
  }
  BOOST_ERROR("expected an exception, none was thrown");
  return "";
}

}  // namespace xtgrad::testing
