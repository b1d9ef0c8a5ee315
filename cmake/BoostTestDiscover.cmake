# xtgrad_boost_test(<target> LABEL <module> [<label> ...] SOURCES ...)
#
# One Boost.Test executable per module. After each build, the executable is asked for its
# test tree (--list_content) and every enabled test case becomes its own CTest test, labelled
# with the module name, so `ctest -L tensor` or `ctest -R matmul` run just those.
# CMake ships gtest_discover_tests only; this is the Boost.Test equivalent.
set(_XTGRAD_BTD_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/BoostTestDiscoverScript.cmake")

function(xtgrad_boost_test target)
  cmake_parse_arguments(T "" "" "LABEL;SOURCES;LIBRARIES" ${ARGN})
  add_executable(${target} ${T_SOURCES})
  target_link_libraries(${target} PRIVATE Boost::unit_test_framework ${T_LIBRARIES})
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  target_compile_definitions(${target} PRIVATE
    XTGRAD_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/fixtures")

  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake")
  string(REPLACE ";" "," labels "${T_LABEL}")  # a list would split into several arguments
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -D "EXE=$<TARGET_FILE:${target}>" -D "PREFIX=${target}"
            -D "LABEL=${labels}" -D "OUT=${out}" -P "${_XTGRAD_BTD_SCRIPT}"
    VERBATIM)
  if(NOT EXISTS "${out}")  # ctest before the first build would fail on a missing include
    file(WRITE "${out}" "add_test([=[${target}_NOT_BUILT]=] \"${CMAKE_COMMAND}\" -E false)\n")
  endif()
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${out}")
endfunction()
