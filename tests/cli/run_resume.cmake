# xtgrad train stopped mid-run and resumed ends with the same model.npz tensors, byte for byte,
# as a run that never stopped: stopped by the XTGRAD_STOP_AFTER_STEPS hook at several points
# (mid-epoch and at an epoch's end), and once by a real SIGINT.
#   -D EXE=... -D OUT=<folder>
# Exits with 77 (skipped) when Debian's dataset-fashion-mnist is not installed.
include("${CMAKE_CURRENT_LIST_DIR}/xtgrad_script.cmake")

# The .npy members of two model.npz files are the same bytes (the zip's own timestamps may differ).
function(check_same_tensors reference candidate)
  foreach(which reference candidate)
    file(REMOVE_RECURSE "${${which}}.members")
    file(MAKE_DIRECTORY "${${which}}.members")
    execute_process(COMMAND ${CMAKE_COMMAND} -E tar xf "${${which}}" WORKING_DIRECTORY "${${which}}.members"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "cannot unpack ${${which}}")
    endif()
  endforeach()
  file(GLOB members RELATIVE "${reference}.members" "${reference}.members/*.npy")
  file(GLOB candidate_members RELATIVE "${candidate}.members" "${candidate}.members/*.npy")
  if(NOT members STREQUAL candidate_members OR members STREQUAL "")
    message(FATAL_ERROR "${candidate} holds [${candidate_members}], ${reference} [${members}]")
  endif()
  foreach(member ${members})
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${reference}.members/${member}"
                            "${candidate}.members/${member}" RESULT_VARIABLE differ)
    if(differ)
      message(FATAL_ERROR "${member} differs between ${reference} and ${candidate}")
    endif()
  endforeach()
endfunction()

# denoising: its corruption noise is a generator the checkpoint must carry. 800 training
# images in batches of 100: 8 steps per epoch, 24 in all.
set(args train --model denoising --epochs 3 --limit 1000 --batch-size 100 --seed 5)
run(0 ${args} --out "${OUT}/whole")
foreach(stop_after 5 8 13)
  set(dir "${OUT}/stopped-${stop_after}")
  set(ENV{XTGRAD_STOP_AFTER_STEPS} ${stop_after})
  run(130 ${args} --out "${dir}")
  unset(ENV{XTGRAD_STOP_AFTER_STEPS})
  if(NOT last_error MATCHES "^xtgrad: fit: interrupted after epoch [0-9]+, step [0-9]+ .*: xtgrad train --resume ${dir}\n$")
    message(FATAL_ERROR "the interruption's message is not one line naming how to resume:\n${last_error}")
  endif()
  if(EXISTS "${dir}/model.npz" OR NOT EXISTS "${dir}/checkpoint.npz")
    message(FATAL_ERROR "an interrupted run must leave checkpoint.npz and no model.npz in ${dir}")
  endif()
  run(0 train --resume "${dir}")
  check_same_tensors("${OUT}/whole/model.npz" "${dir}/model.npz")
  if(EXISTS "${dir}/checkpoint.npz")
    message(FATAL_ERROR "a finished run leaves no checkpoint.npz in ${dir}")
  endif()
endforeach()
run(1 train --resume "${OUT}/whole")  # finished: nothing to resume
run(1 train --resume "${OUT}/stopped-5" --epochs 4)

# A real SIGINT, once the first epoch is done (history.csv appears), to a vae (sampling noise).
set(args train --model vae --epochs ${SIGINT_EPOCHS} --limit 3000 --batch-size 50 --seed 7)
run(0 ${args} --out "${OUT}/vae-whole")
set(dir "${OUT}/vae-interrupted")
execute_process(
  COMMAND sh -c "\"$0\" \"$@\" & pid=$!; while [ ! -s \"${dir}/history.csv\" ]; do sleep 0.02; done; kill -INT $pid; wait $pid"
          "${EXE}" ${args} --out "${dir}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 130 OR NOT err MATCHES "^xtgrad: fit: interrupted after epoch [0-9]+, step [0-9]+ .*--resume ${dir}\n$")
  message(FATAL_ERROR "SIGINT: expected exit 130 and one line naming how to resume, got ${rc}:\n${out}\n${err}")
endif()
run(0 train --resume "${dir}")
check_same_tensors("${OUT}/vae-whole/model.npz" "${dir}/model.npz")
