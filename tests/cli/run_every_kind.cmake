# `xtgrad gradcheck` passes for every model kind the command knows: the kinds are read from
# its own help (the --model choices come from the kind table), never listed here, so a new
# kind is gradchecked without touching this file.
#   -D EXE=<xtgrad>
execute_process(COMMAND "${EXE}" gradcheck --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT help MATCHES "--model TEXT:{([^}]+)}")
  message(FATAL_ERROR "xtgrad gradcheck --help lists no model kinds (exit ${rc}):\n${help}")
endif()
string(REPLACE "," ";" kinds "${CMAKE_MATCH_1}")
foreach(kind ${kinds})
  execute_process(COMMAND "${EXE}" gradcheck --model ${kind} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "every parameter's gradient non-zero: passed")
    message(FATAL_ERROR "xtgrad gradcheck --model ${kind}: exit ${rc}\n${out}${err}")
  endif()
  message(STATUS "${kind}: ${out}")
endforeach()
