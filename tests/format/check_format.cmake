# Every C++ file git tracks is laid out as .clang-format says: a file that clang-format would
# change fails this test, named with the first lines clang-format would change.
#   cmake -D CLANG_FORMAT=<clang-format> -D SOURCE_DIR=<repository> -P check_format.cmake
# Fix: clang-format -i <file>. A learner's own exercise files (tutorials/exercises/mine/) are
# theirs to lay out, and not checked.
cmake_policy(SET CMP0007 NEW)
execute_process(COMMAND git ls-files "*.cpp" "*.hpp" WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE files RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message("not a git checkout: nothing to check")
  cmake_language(EXIT 77)
endif()
string(REPLACE "\n" ";" files "${files}")
list(FILTER files EXCLUDE REGEX "^$|^tutorials/exercises/mine/")
list(LENGTH files count)
set(unformatted "")
foreach(file ${files})
  execute_process(COMMAND "${CLANG_FORMAT}" --dry-run --Werror "${file}" WORKING_DIRECTORY "${SOURCE_DIR}"
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    string(SUBSTRING "${err}" 0 600 err)
    string(APPEND unformatted "${file}\n${err}\n")
  endif()
endforeach()
if(unformatted)
  message(FATAL_ERROR "not laid out as .clang-format says (clang-format -i FILE fixes it):\n${unformatted}")
endif()
message(STATUS "${count} C++ files laid out as .clang-format says")
