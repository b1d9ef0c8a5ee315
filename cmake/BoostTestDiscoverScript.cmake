# Run by xtgrad_boost_test after each build: turns `EXE --list_content` into add_test() lines.
# A case whose precondition fails (e.g. the real data set is not installed) is reported by
# Boost at --log_level=test_suite and counted by CTest as skipped, not passed.
# --list_content prints the test tree on stderr, 4 spaces per level; a trailing '*' marks an
# enabled case. Disabled cases are skipped (an explicit --run_test=<disabled> would run them).
string(REPLACE "," ";" LABEL "${LABEL}")  # xtgrad_boost_test passes a list of labels with commas
execute_process(COMMAND "${EXE}" --list_content
                OUTPUT_VARIABLE o ERROR_VARIABLE e RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} --list_content failed (${rc}): ${e}")
endif()
string(REPLACE "\n" ";" lines "${o}${e};<end>")
set(stack "")
set(prev_depth -1)
set(prev_on "")
set(out "")
foreach(line IN LISTS lines)
  if(line STREQUAL "<end>")
    set(depth -1)
  elseif(line MATCHES "^( *)([^ *]+)(\\*?) *$")
    string(LENGTH "${CMAKE_MATCH_1}" ind)
    math(EXPR depth "${ind} / 4")
  else()
    continue()
  endif()
  # The previous entry was a leaf (a test case) if this one is not deeper.
  if(prev_depth GREATER_EQUAL 0 AND NOT depth GREATER prev_depth AND prev_on STREQUAL "*")
    string(APPEND out "add_test([=[${PREFIX}/${prev_path}]=] [==[${EXE}]==] "
                      "[==[--run_test=${prev_path}]==] --color_output=no --log_level=test_suite)\n"
                      "set_tests_properties([=[${PREFIX}/${prev_path}]=] PROPERTIES LABELS [=[${LABEL}]=] "
                      "SKIP_REGULAR_EXPRESSION [=[is skipped because precondition failed]=])\n")
  endif()
  if(depth LESS 0)
    break()
  endif()
  list(SUBLIST stack 0 ${depth} stack)
  list(APPEND stack "${CMAKE_MATCH_2}")
  list(JOIN stack "/" prev_path)
  set(prev_depth ${depth})
  set(prev_on "${CMAKE_MATCH_3}")
endforeach()
file(WRITE "${OUT}" "${out}")
