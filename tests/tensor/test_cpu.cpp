// The start-up CPU check's message, for CPUs this machine is not (tensor/cpu.hpp). The
// end-to-end check, a real program refused before main(), is in tests/cpu/.
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "tensor/cpu.hpp"

namespace xtgrad {
namespace {

using detail::CpuFeature;

// An AVX2 machine without AVX-512, like the one that first met the AVX-512-only build.
const std::vector<CpuFeature> kAvx2Machine = {
    {"sse4.2", "x86-64-v2", true},   {"popcnt", "x86-64-v2", true},
    {"avx2", "x86-64-v3", true},     {"fma", "x86-64-v3", true},
    {"avx512f", "x86-64-v4", false}, {"avx512bw", "x86-64-v4", false}};

BOOST_AUTO_TEST_CASE(a_level_above_the_cpu_is_refused_naming_each_missing_feature) {
  const std::string error = detail::cpu_level_error("x86-64-v4", kAvx2Machine);
  BOOST_TEST(error ==
             "xtgrad: this program was compiled for x86-64-v4, but this CPU lacks avx512f, "
             "avx512bw; rebuild it with -DXTGRAD_ARCH=native or a lower level (x86-64, "
             "x86-64-v2, x86-64-v3)");
}

BOOST_AUTO_TEST_CASE(levels_up_to_the_cpus_own_are_accepted) {
  for (const char* level : {"x86-64", "x86-64-v2", "x86-64-v3"}) {
    BOOST_TEST(detail::cpu_level_error(level, kAvx2Machine) == "", level);
  }
}

BOOST_AUTO_TEST_CASE(a_feature_of_a_lower_level_counts_too) {
  std::vector<CpuFeature> no_fma = kAvx2Machine;
  no_fma[3].present = false;
  BOOST_TEST(detail::cpu_level_error("x86-64-v2", no_fma) == "");
  BOOST_TEST(detail::cpu_level_error("x86-64-v3", no_fma).find("lacks fma;") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(this_cpu_has_every_feature_of_its_own_level_and_runs_this_build) {
  const std::string host = host_cpu_level();
  BOOST_TEST(detail::cpu_level_error(host, detail::host_cpu_features()) == "");
  // This test runs, so the check before main() accepted the level the library was built for.
  BOOST_TEST(detail::cpu_level_error(compiled_cpu_level(), detail::host_cpu_features()) == "");
}

}  // namespace
}  // namespace xtgrad
