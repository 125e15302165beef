# cmake --install of the build tree, then projects outside nsim that find_package(nsim) it: a
# consumer that links nsim::isa and nsim::sim and prints a kernel, and the installed copy of
# examples/serve_bert, which serves BERT-base through nsim::runtime with the installed model and
# instance files; and, when built (-DPYTHON=the interpreter, -DPYTHON_DIR=its place under the
# prefix), the Python package. The installed package must be usable as is.
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

# The chip an installed instance names comes from the installed configs too.
run(${CMAKE_COMMAND} -S "${WORK_DIR}/prefix/share/nsim/examples/serve_bert" -B "${WORK_DIR}/example" -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/example")
run(${CMAKE_COMMAND} -E env NSIM_CONFIG_DIR=${WORK_DIR}/prefix/share/nsim/configs
    "${WORK_DIR}/example/serve_bert")
if(NOT out MATCHES "bert-base-uncased on inf1.xlarge: 4 copies" OR NOT out MATCHES "inferences/s")
  message(FATAL_ERROR "serve_bert printed\n${out}\ninstead of BERT-base's throughput on inf1.xlarge")
endif()
if(PYTHON)
  run(${CMAKE_COMMAND} -E env PYTHONPATH=${WORK_DIR}/prefix/${PYTHON_DIR}
      NSIM_CONFIG_DIR=${WORK_DIR}/prefix/share/nsim/configs
      ${PYTHON} -c "print(__import__('nsim.nki').__file__, __import__('nsim').chips())")
  if(NOT out MATCHES "${WORK_DIR}/prefix" OR NOT out MATCHES "'trn1'")
    message(FATAL_ERROR "the installed Python package printed\n${out}\ninstead of its chips")
  endif()
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
