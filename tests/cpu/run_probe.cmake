# Runs a CPU-check probe and checks what a user would see:
#   cmake -D PROBE=path -D EXPECT=starts|refuses -D LEVEL=x86-64-v4 -P run_probe.cmake
execute_process(COMMAND "${PROBE}" RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(EXPECT STREQUAL "starts")
  if(NOT code EQUAL 0 OR NOT out STREQUAL "started\n" OR NOT err STREQUAL "")
    message(FATAL_ERROR "expected a clean start, got exit ${code}, stdout '${out}', stderr '${err}'")
  endif()
else()
  set(line "^xtgrad: this program was compiled for ${LEVEL}, but this CPU lacks [a-z0-9.]+(, [a-z0-9.]+)*; rebuild it with -DXTGRAD_ARCH=native or a lower level [^\n]*\n$")
  if(NOT code EQUAL 1 OR NOT out STREQUAL "" OR NOT err MATCHES "${line}")
    message(FATAL_ERROR "expected exit 1 and one line on stderr before main(), got exit ${code}, "
                        "stdout '${out}', stderr '${err}'")
  endif()
  message("refused as expected: ${err}")
endif()
