# The instruction-set level xtgrad is compiled for (see "Which CPUs it runs on" in README.md).
#
# XTGRAD_ARCH is one of the four x86-64 levels that GCC and xsimd 8 know:
#   x86-64     SSE2, every x86-64 CPU
#   x86-64-v2  + SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT (about 2009 on)   <- the default
#   x86-64-v3  + AVX, AVX2, FMA, BMI1/2, F16C, MOVBE (about 2015 on)
#   x86-64-v4  + AVX-512 F/BW/CD/DQ/VL
# or `native`, which runs a probe at configure time and picks the highest of the four that the
# build machine supports (the presets use it: they build and run on the same machine).
#
# Every program linked with xtgrad::tensor checks at start that its CPU has the level it was
# compiled for, and says so in one line instead of dying of SIGILL (tensor/cpu_check.cpp).
set(XTGRAD_ARCH "x86-64-v2" CACHE STRING
    "Instruction-set level: x86-64, x86-64-v2, x86-64-v3, x86-64-v4, or native")
set_property(CACHE XTGRAD_ARCH PROPERTY STRINGS x86-64 x86-64-v2 x86-64-v3 x86-64-v4 native)
set(XTGRAD_ARCH_LEVELS x86-64 x86-64-v2 x86-64-v3 x86-64-v4)

# Sets <var> to this machine's level ("" if the probe fails), by running cmake/cpu_level.cpp.
# NOTE: compiled without the build type's flags (a sanitizer or fuzzer runtime would get in
# the way of a plain probe).
function(xtgrad_host_cpu_level var)
  try_run(ran compiled ${PROJECT_BINARY_DIR}/cpu_level ${PROJECT_SOURCE_DIR}/cmake/cpu_level.cpp
          CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${PROJECT_SOURCE_DIR}" "-DCMAKE_CXX_FLAGS_DEBUG="
                      "-DCMAKE_EXE_LINKER_FLAGS="
          COMPILE_DEFINITIONS "-DXTGRAD_CPU_LEVEL=\"x86-64\""
          COMPILE_OUTPUT_VARIABLE compile_output RUN_OUTPUT_VARIABLE level)
  if(NOT compiled OR NOT ran EQUAL 0)
    message(STATUS "cpu_level probe failed: ${compile_output}")
    set(level "")
  endif()
  set(${var} "${level}" PARENT_SCOPE)
endfunction()

if(XTGRAD_ARCH STREQUAL "native")
  xtgrad_host_cpu_level(XTGRAD_HOST_LEVEL)
  if(NOT XTGRAD_HOST_LEVEL IN_LIST XTGRAD_ARCH_LEVELS)
    message(FATAL_ERROR "XTGRAD_ARCH=native: could not detect this CPU's level "
                        "(got '${XTGRAD_HOST_LEVEL}'); set XTGRAD_ARCH to one of ${XTGRAD_ARCH_LEVELS}")
  endif()
  set(XTGRAD_ARCH_LEVEL ${XTGRAD_HOST_LEVEL})
elseif(XTGRAD_ARCH IN_LIST XTGRAD_ARCH_LEVELS)
  set(XTGRAD_ARCH_LEVEL ${XTGRAD_ARCH})
else()
  message(FATAL_ERROR "XTGRAD_ARCH='${XTGRAD_ARCH}': expected one of ${XTGRAD_ARCH_LEVELS} or native")
endif()
message(STATUS "xtgrad: compiling for ${XTGRAD_ARCH_LEVEL} (XTGRAD_ARCH=${XTGRAD_ARCH})")

# The flag for every target of this project. Not exported: a consumer compiles its own code as it
# likes; the libraries it links still carry the CPU check.
add_compile_options(-march=${XTGRAD_ARCH_LEVEL})
