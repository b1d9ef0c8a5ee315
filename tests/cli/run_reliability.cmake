# A run never destroys what it did not make, paths are paths, --resume remembers its arguments,
# and a signal is honoured in every phase of `xtgrad train`. Each block is a case that once
# went wrong (see the README's bad-input table).
#   -D EXE=... -D OUT=<scratch folder> [-D DATA=<Fashion-MNIST folder>]
# Exits with 77 (skipped) when the data set is not installed.
include("${CMAKE_CURRENT_LIST_DIR}/xtgrad_script.cmake")

function(expect_error regex)
  if(NOT last_error MATCHES "${regex}")
    message(FATAL_ERROR "stderr does not match '${regex}':\n${last_error}")
  endif()
  string(REGEX MATCHALL "\n" lines "${last_error}")
  list(LENGTH lines count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "the error is not one line:\n${last_error}")
  endif()
endfunction()

function(expect_files dir)  # exactly these names (sorted), hidden ones included
  file(GLOB found RELATIVE "${dir}" "${dir}/*" "${dir}/.*")
  list(SORT found)
  set(want ${ARGN})
  list(SORT want)
  if(NOT found STREQUAL want)
    message(FATAL_ERROR "${dir} holds [${found}], expected [${want}]")
  endif()
endfunction()

set(tiny --model basic --epochs 1 --limit 600 --batch-size 100 --latent 4 --seed 1)
set(run_files .xtgrad-run config.json filters.png history.csv model.npz reconstructions.png results.json)
execute_process(COMMAND gnuplot --version RESULT_VARIABLE no_gnuplot OUTPUT_QUIET ERROR_QUIET)
if(NOT no_gnuplot)
  list(APPEND run_files loss.png)
endif()

# --force removes an earlier run's files and nothing else: a folder that holds anything else is
# refused, and keeps every file, the earlier run's included; no lock file is left.
set(docs "${OUT}/documents")
file(MAKE_DIRECTORY "${docs}/photos")
file(WRITE "${docs}/thesis.tex" "mine")
file(WRITE "${docs}/model.npz" "an earlier run's")
run(1 train ${tiny} --out "${docs}" --force --data-dir "${DATA}")
expect_error("^xtgrad: output folder ${docs}: holds photos/ and thesis.tex, which no xtgrad run wrote")
expect_files("${docs}" model.npz photos thesis.tex)

# --out the data folder, or a folder that contains it, is refused (here a copy of the data).
set(copy "${OUT}/data-copy/fashion")
file(COPY "${DATA}/" DESTINATION "${copy}" FILES_MATCHING PATTERN "*idx*")
file(GLOB data_files RELATIVE "${copy}" "${copy}/*")
run(1 train ${tiny} --out "${copy}" --data-dir "${copy}" --force)
expect_error("^xtgrad: output folder ${copy}: is the data folder")
run(1 train ${tiny} --out "${OUT}/data-copy" --data-dir "${copy}" --force)
expect_error("contains the data folder")
expect_files("${copy}" ${data_files})

# A mistyped --data-dir with --force leaves the earlier run whole: nothing is removed before the
# data has loaded. The same with the right data replaces exactly the run's files.
set(earlier "${OUT}/earlier")
run(0 train ${tiny} --out "${earlier}" --data-dir "${DATA}")
expect_files("${earlier}" ${run_files})
file(READ "${earlier}/results.json" first_results)
run(1 train ${tiny} --out "${earlier}" --data-dir "${OUT}/no-such-data" --force)
expect_files("${earlier}" ${run_files})
run(0 train ${tiny} --out "${earlier}" --data-dir "${DATA}" --force)
expect_files("${earlier}" ${run_files})

# --out is a path, never a pattern: "{epoch}" stays in the folder's name, the checkpoint lands
# inside it, and the printed command resumes it.
set(braces "${OUT}/run-{epoch}-{}")
set(ENV{XTGRAD_STOP_AFTER_STEPS} 3)
run(130 train ${tiny} --out "${braces}" --data-dir "${DATA}")
unset(ENV{XTGRAD_STOP_AFTER_STEPS})
expect_error("the checkpoint ${braces}/checkpoint.npz continues it: xtgrad train --resume '${braces}'\n$")
if(NOT EXISTS "${braces}/checkpoint.npz")
  message(FATAL_ERROR "the checkpoint is not in ${braces}")
endif()
file(GLOB siblings "${OUT}/run-*")
list(LENGTH siblings sibling_count)
if(NOT sibling_count EQUAL 1)
  message(FATAL_ERROR "checkpoints went to sibling folders: ${siblings}")
endif()

# --resume remembers the data folder: another one is refused, naming both; none given goes on
# with the recorded one.
run(1 train --resume "${braces}" --data-dir "${OUT}/other-data")
expect_error("^xtgrad: resume ${braces}: the run was started with --data-dir .*, not ${OUT}/other-data; leave --data-dir out")
run(1 train --resume "${braces}" --checkpoint-every 2)
expect_error("--checkpoint-every left to its default, not 2")
run(0 train --resume "${braces}")
if(NOT last_out MATCHES "Fashion-MNIST from ${DATA}")
  message(FATAL_ERROR "the resumed run did not use the recorded data folder:\n${last_out}")
endif()
expect_files("${braces}" ${run_files})

# An empty or blank value is an error, never "not given".
# (Called directly: a function's ${ARGN} would drop the empty argument.)
foreach(value "" " ")
  foreach(option --resume --out --data-dir --config)
    execute_process(COMMAND "${EXE}" train ${option} "${value}" RESULT_VARIABLE rc ERROR_VARIABLE last_error)
    if(NOT rc EQUAL 2)
      message(FATAL_ERROR "train ${option} '${value}': expected exit 2, got ${rc}")
    endif()
    expect_error("^xtgrad: ${option}: the value is empty")
  endforeach()
endforeach()
execute_process(COMMAND "${EXE}" eval --model-file "" RESULT_VARIABLE rc ERROR_VARIABLE last_error)
expect_error("^xtgrad: --model-file: the value is empty")

# A signal in each phase after loading: exit 130, one line that says what was kept; the model
# is kept once trained, results.json is not written, and no lock or temporary file is left.
set(SIGINT 2)
set(SIGTERM 15)
set(SIGHUP 1)
foreach(signal SIGINT SIGTERM SIGHUP)
  foreach(phase evaluation pca pictures)
    set(dir "${OUT}/${signal}-${phase}")
    set(ENV{XTGRAD_SIGNAL_AT} "${phase}:${${signal}}")
    run(130 train ${tiny} --out "${dir}" --data-dir "${DATA}")
    unset(ENV{XTGRAD_SIGNAL_AT})
    expect_error("^xtgrad: interrupted after training: model.npz and config.json are saved in ${dir} \\(no results.json\\); xtgrad eval --model-file ${dir}/model.npz evaluates it\n$")
    file(GLOB left RELATIVE "${dir}" "${dir}/*" "${dir}/.*")
    foreach(name ${left})
      if(name STREQUAL "results.json" OR name STREQUAL ".xtgrad.lock" OR name MATCHES "tmp")
        message(FATAL_ERROR "${signal} in ${phase} left ${name} in ${dir}")
      endif()
    endforeach()
    if(NOT EXISTS "${dir}/model.npz" OR NOT EXISTS "${dir}/config.json")
      message(FATAL_ERROR "${signal} in ${phase}: the trained model was not kept in ${dir}")
    endif()
  endforeach()
  # Training: the step under way finishes, a checkpoint is written, and the printed command
  # goes on from it.
  set(dir "${OUT}/${signal}-training")
  set(ENV{XTGRAD_SIGNAL_AT} "training:${${signal}}")
  run(130 train ${tiny} --out "${dir}" --data-dir "${DATA}")
  unset(ENV{XTGRAD_SIGNAL_AT})
  expect_error("^xtgrad: fit: interrupted after epoch 1, step 1 .*: xtgrad train --resume ${dir}\n$")
  if(signal STREQUAL "SIGHUP")  # (the resume itself is run_resume.cmake's subject)
    run(0 train --resume "${dir}")
    expect_files("${dir}" ${run_files})
  elseif(NOT EXISTS "${dir}/checkpoint.npz")
    message(FATAL_ERROR "${signal} in training wrote no checkpoint in ${dir}")
  endif()
  # Pretraining: nothing was written, so the folder the run made is gone.
  set(dir "${OUT}/${signal}-pretraining")
  set(ENV{XTGRAD_SIGNAL_AT} "pretraining:${${signal}}")
  run(130 train --config hinton-pretrained --limit 300 --epochs 1 --out "${dir}" --data-dir "${DATA}")
  unset(ENV{XTGRAD_SIGNAL_AT})
  expect_error("^xtgrad: interrupted while pretraining, before any file was written")
  if(EXISTS "${dir}")
    message(FATAL_ERROR "${signal} in pretraining left ${dir}")
  endif()
endforeach()
run(0 eval --model-file "${OUT}/SIGHUP-pictures/model.npz" --data-dir "${DATA}")
