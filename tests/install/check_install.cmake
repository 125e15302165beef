# cmake --install of the build tree, then a consumer project that find_package(nsim)s it, links
# nsim::isa and nsim::sim, and prints a kernel: the installed package must be usable as is.
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -DCONSUMER_DIR=... -DCXX=... -DKERNEL=... -P check_install.cmake
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
run(${CMAKE_COMMAND} -S "${CONSUMER_DIR}" -B "${WORK_DIR}/build" -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run("${WORK_DIR}/build/nsim_consumer" "${KERNEL}")
file(READ "${KERNEL}" expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "the consumer printed\n${out}\ninstead of ${KERNEL}")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
