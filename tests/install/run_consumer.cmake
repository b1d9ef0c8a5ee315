# The install/consumer test (see CMakeLists.txt next to this file), run as
#   cmake -D BUILD_DIR=<xtgrad build> -D WORK_DIR=<scratch dir> -D CONSUMER_SOURCE_DIR=<consumer/>
#         -D CXX_COMPILER=<c++> [-D BINDIR=bin -D DATADIR=share] [-D PROGRAM=<executable>]
#         [-D PROGRAM_ARGS=<arguments>] [-D CONFIG=<build type>] [-D GENERATOR=<generator>]
#         -P run_consumer.cmake
# Steps: install BUILD_DIR into WORK_DIR/prefix; configure consumer/ against that prefix in a
# fresh WORK_DIR/build; build it; run its executable PROGRAM (default: consumer); with BINDIR
# and DATADIR given, run the installed xtgrad from a copy of the prefix.
# Any failing step stops the test with its output. The book's chapter 4 runs it too, on its
# own consumer project (tutorials/04-your-own-op-and-layer/layer).
foreach(var BUILD_DIR WORK_DIR CONSUMER_SOURCE_DIR CXX_COMPILER)
  if(NOT ${var})
    message(FATAL_ERROR "run_consumer.cmake: -D ${var}=... is required")
  endif()
endforeach()
if(NOT PROGRAM)
  set(PROGRAM consumer)
endif()

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")  # a fresh prefix and build dir on every run

# run_step(<name> <command>...): runs the command; on failure, stops with its output.
# The combined stdout + stderr is left in `step_output`.
function(run_step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " command)
    # NOTICE prints the output verbatim (FATAL_ERROR would re-wrap compiler messages).
    message(NOTICE "command: ${command}\n${out}")
    message(FATAL_ERROR "install/consumer: ${name} failed (${rc}); its output is above")
  endif()
  message(STATUS "${name}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(config_args "")
set(build_type_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
  set(build_type_args "-DCMAKE_BUILD_TYPE=${CONFIG}")
endif()
set(generator_args "")
if(GENERATOR)
  set(generator_args -G "${GENERATOR}")
endif()

# 1. Install.
run_step("install into ${prefix}"
  "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" ${config_args})

# 2. Configure the consumer against the prefix only. The header-only packages xtgrad was built
#    with are disabled: the installed package must not need them.
run_step("configure consumer"
  "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}" ${generator_args}
  "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" ${build_type_args}
  -DCMAKE_DISABLE_FIND_PACKAGE_xtensor=ON -DCMAKE_DISABLE_FIND_PACKAGE_xtensor-blas=ON
  -DCMAKE_DISABLE_FIND_PACKAGE_xsimd=ON -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON)
# It must have used the installed package, not a build tree or a system-wide copy.
file(STRINGS "${consumer_build}/CMakeCache.txt" xtgrad_dir REGEX "^xtgrad_DIR:")
string(REGEX REPLACE "^xtgrad_DIR:[A-Z]+=" "" xtgrad_dir "${xtgrad_dir}")
string(FIND "${xtgrad_dir}" "${prefix}/" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "install/consumer: find_package(xtgrad) used '${xtgrad_dir}', "
                      "not the package installed under ${prefix}\n${step_output}")
endif()

# 3. Build it.
run_step("build consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})

# 4. Run it (multi-config generators put it in a per-config folder).
set(exe "${consumer_build}/${PROGRAM}")
if(NOT EXISTS "${exe}")
  set(exe "${consumer_build}/${CONFIG}/${PROGRAM}")
endif()
run_step("run consumer" "${exe}" ${PROGRAM_ARGS})
message(STATUS "consumer printed:\n${step_output}")

if(NOT BINDIR OR NOT DATADIR)
  return()
endif()

# 5. The installed xtgrad command, from a copy of the prefix in another folder (an install that
#    was moved, or whose source tree is gone): its named configs must come from its own
#    share/xtgrad/configs. A config that exists only in the copy proves where it looked.
set(moved "${WORK_DIR}/moved")
file(COPY "${prefix}/" DESTINATION "${moved}")
set(moved_configs "${moved}/${DATADIR}/xtgrad/configs")
file(COPY_FILE "${moved_configs}/keras-basic.json" "${moved_configs}/only-in-this-prefix.json")
unset(ENV{XTGRAD_CONFIG_DIR})
foreach(config keras-basic only-in-this-prefix)
  run_step("installed xtgrad summary --config ${config}" "${moved}/${BINDIR}/xtgrad" summary --config ${config})
  if(NOT step_output MATCHES "^${config}: Autoencoder\\(784-32\\)")
    message(FATAL_ERROR "install/consumer: the installed xtgrad printed:\n${step_output}")
  endif()
endforeach()
