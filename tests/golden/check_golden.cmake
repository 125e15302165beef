# Simulated results pinned: runs nsim on a few example kernels and a model, and compares a SHA-256
# of each trace, output tensor and report (the host-time fields removed: they measure the host,
# not the simulation) with the digests committed in DIGESTS, computed before the host-speed work
# of issue 11. A change of the host speed must leave every one of them unchanged.
#   cmake -DNSIM=... -DSOURCE_DIR=... -DWORK_DIR=... -DDIGESTS=... -DCASES=SET [-DUPDATE=1] -P check_golden.cmake
# CASES: "kernels" (fast) or "model" (the functional BERT-base, slow). UPDATE=1 rewrites DIGESTS'
# lines of that set instead of checking them.
cmake_policy(VERSION 3.16)
set(kernel_cases causal_mask_misc cumsum_scan gelu grad_sync_pair layernorm matmul_bf16_512
    softmax_backward softmax_rows)

function(run)
  execute_process(COMMAND ${ARGV} WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
endfunction()

# Appends "CASE FILE DIGEST" for the file at PATH to the list `lines`; a JSON report loses its
# host-time fields first.
function(digest case name path)
  if(name STREQUAL "report")
    file(READ "${path}" text)
    foreach(field host_seconds simulation_host_seconds host_phases_seconds)
      string(JSON text ERROR_VARIABLE no_field REMOVE "${text}" ${field})
    endforeach()
    string(SHA256 sum "${text}")
  else()
    file(SHA256 "${path}" sum)
  endif()
  set(lines ${lines} "${case} ${name} ${sum}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(lines "")
if(CASES STREQUAL "kernels")
  foreach(k ${kernel_cases})
    set(out "${WORK_DIR}/${k}")
    set(cores 1)
    if(k STREQUAL "grad_sync_pair")
      set(cores 2)
    endif()
    run("${NSIM}" run examples/kernels/${k}.nki --cores ${cores} --report ${out}.report.json
        --trace ${out}.trace.json --output-dir ${out})
    digest(${k} report ${out}.report.json)
    digest(${k} trace ${out}.trace.json)
    file(GLOB_RECURSE outputs RELATIVE "${out}" "${out}/*.npy")  # several ranks: rank<R>/
    list(SORT outputs)
    foreach(o ${outputs})
      digest(${k} ${o} ${out}/${o})
    endforeach()
  endforeach()
  # The long matmul, timing only: the sync-insertion pass and the scheduling of 500 instructions.
  set(out "${WORK_DIR}/matmul_bf16_2048")
  run("${NSIM}" run examples/kernels/matmul_bf16_2048.nki --timing-only
      --report ${out}.report.json --trace ${out}.trace.json)
  digest(matmul_bf16_2048_timing report ${out}.report.json)
  digest(matmul_bf16_2048_timing trace ${out}.trace.json)
  # A model's lowering, partitioning and four cores at once, timing only.
  run("${NSIM}" model bert-base-uncased --instance inf1.xlarge --batch 1
      --report ${WORK_DIR}/bert.report.json)
  digest(bert_base_inf1_xlarge report ${WORK_DIR}/bert.report.json)
elseif(CASES STREQUAL "model")
  run("${NSIM}" model bert-base-uncased --instance inf1.xlarge --models 1 --functional
      --report ${WORK_DIR}/bert.report.json)
  digest(bert_base_functional report ${WORK_DIR}/bert.report.json)
else()
  message(FATAL_ERROR "CASES=${CASES}: expected kernels or model")
endif()

# The committed lines of this set, in the same (sorted) order.
list(SORT lines)
file(STRINGS "${DIGESTS}" committed REGEX "^${CASES}: ")
list(TRANSFORM committed REPLACE "^${CASES}: " "")
if(UPDATE)
  file(STRINGS "${DIGESTS}" kept REGEX "^[a-z]+: ")
  list(FILTER kept EXCLUDE REGEX "^${CASES}: ")
  list(TRANSFORM lines PREPEND "${CASES}: ")
  list(APPEND kept ${lines})
  list(SORT kept)
  list(JOIN kept "\n" text)
  file(WRITE "${DIGESTS}" "${text}\n")
  return()
endif()
if(NOT lines STREQUAL committed)
  set(diff "")
  foreach(line ${lines})
    if(NOT line IN_LIST committed)
      string(APPEND diff "\n  now:       ${line}")
    endif()
  endforeach()
  foreach(line ${committed})
    if(NOT line IN_LIST lines)
      string(APPEND diff "\n  committed: ${line}")
    endif()
  endforeach()
  message(FATAL_ERROR "simulated results differ from ${DIGESTS}:${diff}")
endif()
list(LENGTH lines n)
message(STATUS "${n} digests of ${CASES} unchanged")
