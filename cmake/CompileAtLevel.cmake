# Compiles tensor/'s xsimd translation units for one instruction-set level with -fsyntax-only,
# which instantiates every template (and so every xsimd batch type of that level) without
# generating code. Run by the CTest tests tensor/compiles_at_<level>:
#   cmake -D LEVEL=x86-64-v3 -D "SOURCES=a.cpp;b.cpp" -D SOURCE_DIR=... -D COMPILE_COMMANDS=...
#         -P CompileAtLevel.cmake
# Each file is compiled with the exact command of the build (compile_commands.json), with its
# -march replaced by -march=${LEVEL}.
file(READ "${COMPILE_COMMANDS}" commands)
string(JSON count LENGTH "${commands}")
math(EXPR last "${count} - 1")

set(failed "")
foreach(source IN LISTS SOURCES)
  set(command "")
  foreach(i RANGE ${last})
    string(JSON file GET "${commands}" ${i} file)
    string(JSON candidate GET "${commands}" ${i} command)
    if(file STREQUAL "${SOURCE_DIR}/${source}" AND candidate MATCHES "/xtgrad_tensor\\.dir/")
      set(command "${candidate}")
      string(JSON directory GET "${commands}" ${i} directory)
      break()
    endif()
  endforeach()
  if(command STREQUAL "")
    message(FATAL_ERROR "${source}: not in ${COMPILE_COMMANDS}; configure with the dev preset")
  endif()
  string(REGEX REPLACE " -march=[^ ]+" "" command "${command}")
  string(REGEX REPLACE " -o [^ ]+" "" command "${command}")
  string(REGEX REPLACE " -c " " " command "${command}")
  separate_arguments(argv UNIX_COMMAND "${command} -march=${LEVEL} -fsyntax-only")
  execute_process(COMMAND ${argv} WORKING_DIRECTORY "${directory}"
                  RESULT_VARIABLE result ERROR_VARIABLE errors OUTPUT_QUIET)
  if(NOT result EQUAL 0)
    string(SUBSTRING "${errors}" 0 4000 head)
    message("${source} does not compile for ${LEVEL}:\n${head}")
    list(APPEND failed ${source})
  else()
    message("${source}: compiles for ${LEVEL}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "not compiled for ${LEVEL}: ${failed}")
endif()
