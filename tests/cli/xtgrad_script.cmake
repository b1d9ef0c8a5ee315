# What the CLI scripts (run_resume.cmake, run_reliability.cmake) share: skipping without the
# data set, a fresh scratch folder, and running xtgrad with an expected exit code.
#   -D EXE=<xtgrad> -D OUT=<scratch folder> [-D DATA=<Fashion-MNIST folder>]

# Exits with 77 (CTest's "skipped") when the data set is not installed.
if(NOT DEFINED DATA)
  if(DEFINED ENV{XTGRAD_FASHION_MNIST_DIR})
    set(DATA "$ENV{XTGRAD_FASHION_MNIST_DIR}")
  else()
    set(DATA /usr/share/datasets/fashion-mnist)
  endif()
endif()
if(NOT EXISTS "${DATA}/t10k-images-idx3-ubyte.gz")
  message("Fashion-MNIST is not installed: skipped")
  cmake_language(EXIT 77)
endif()
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")

# Runs xtgrad; fails unless it exits with `expect_exit`. Leaves stdout and stderr in last_out
# and last_error.
function(run expect_exit)
  execute_process(COMMAND "${EXE}" ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "${expect_exit}")
    message(FATAL_ERROR "xtgrad ${ARGN}: expected exit ${expect_exit}, got ${rc}:\n${out}\n${err}")
  endif()
  set(last_out "${out}" PARENT_SCOPE)
  set(last_error "${err}" PARENT_SCOPE)
endfunction()
