# opkit_add_op_project: build an op project (spec + host + kernel sources) for the CPU runtime.
#
#   opkit_add_op_project(SPEC ops/add_custom.json KERNEL_DIR kernels HOST_DIR host
#                        OUTPUT_DIR ops HOST_TARGET my_ops_host [INSTALL_DIR opkit/ops])
#
# For every op of SPEC: host/<op>.cpp joins the shared HOST_TARGET library (its OP_ADD registers the
# op when the library is loaded), and kernels/<op>.cpp is compiled once per dtype column.
#
# Note [One library per dtype column]: CANN compiles a kernel once per dtype column with DTYPE_<X>
# set. The same class names then carry different code in each compilation, so linking the columns
# into one library would merge their inline functions (an ODR violation that silently runs the
# wrong column's code). Each column is its own library, built with hidden visibility, exporting
# only the `__global__` entry; the launcher opens them side by side with RTLD_LOCAL.
#
# Note [Op projects use the runtime's C++ ABI]: op_host code talks to libopkit_rt through C++ types
# that hold std::string (OpDef, the tiling context; register/op_def_registry.h), so every library of
# an op project is compiled with the ABI libopkit_rt was built with (OPKIT_RT_CXX11_ABI, the
# compiler's default =1), whatever CXXFLAGS ask (CANN's own samples set =0 for their CPU targets).
# Programs that use the project go through its aclnn C functions and may use either ABI
# (Note [Both C++ ABIs] in opkit/rt/api.h).
include_guard(GLOBAL)
if(NOT DEFINED OPKIT_RT_CXX11_ABI)
  set(OPKIT_RT_CXX11_ABI 1)
endif()
set(OPKIT_ABI_OPTIONS -U_GLIBCXX_USE_CXX11_ABI -D_GLIBCXX_USE_CXX11_ABI=${OPKIT_RT_CXX11_ABI})

if(NOT TARGET opkit::rt)
  message(FATAL_ERROR "opkit_add_op_project needs the opkit::rt target: find_package(opkit) first")
endif()
if(NOT DEFINED OPKIT_PYTHON)
  find_package(Python REQUIRED COMPONENTS Interpreter)
  set(OPKIT_PYTHON ${Python_EXECUTABLE})
endif()
if(NOT DEFINED OPKIT_CCE_AICORE)
  set(OPKIT_CCE_AICORE 220)  # the kernel is compiled for arch 2201 (Ascend910B) by default
endif()

# Output layout under OUTPUT_DIR (the same for the wheel's built-in ops and a user's project):
#   <op>.json                                   the specs
#   op_api/include/aclnn_<op>.h, op_api/lib/libcust_opapi.so   the aclnn interface
#   op_impl/lib<HOST_TARGET>.so                 op_host code (OpDef, TilingFunc, InferShape)
#   op_impl/kernel/libopkit_kernel_<op>_<column>.so             one kernel library per dtype column
function(opkit_add_op_project)
  cmake_parse_arguments(A "" "SPEC;KERNEL_DIR;HOST_DIR;OUTPUT_DIR;HOST_TARGET;ACLNN_TARGET;INSTALL_DIR" "" ${ARGN})
  foreach(req SPEC KERNEL_DIR HOST_DIR HOST_TARGET)
    if(NOT A_${req})
      message(FATAL_ERROR "opkit_add_op_project: ${req} is required")
    endif()
  endforeach()
  if(NOT A_OUTPUT_DIR)
    set(A_OUTPUT_DIR ops)
  endif()
  if(NOT A_ACLNN_TARGET)
    set(A_ACLNN_TARGET cust_opapi)
  endif()
  set(out ${CMAKE_BINARY_DIR}/${A_OUTPUT_DIR})

  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env "PYTHONPATH=${OPKIT_PYTHONPATH}" ${OPKIT_PYTHON} -m opkit.spec cmake ${A_SPEC}
    OUTPUT_VARIABLE info ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${err}")
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env "PYTHONPATH=${OPKIT_PYTHONPATH}" ${OPKIT_PYTHON} -m opkit.aclnn_gen ${A_SPEC} ${out}/op_api
    OUTPUT_VARIABLE aclnn_files ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${err}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${A_SPEC})
  get_filename_component(stem ${A_SPEC} NAME_WE)
  set(info_file ${CMAKE_CURRENT_BINARY_DIR}/opkit_spec_${stem}.cmake)
  file(WRITE ${info_file} "${info}")
  include(${info_file})
  file(COPY ${A_SPEC} DESTINATION ${out})
  if(A_INSTALL_DIR)
    install(FILES ${A_SPEC} DESTINATION ${A_INSTALL_DIR})
  endif()

  foreach(op ${OPKIT_SPEC_OPS})
    set(name ${OPKIT_OP_${op}_NAME})
    set(host_src ${A_HOST_DIR}/${name}.cpp)
    set(kernel_src ${A_KERNEL_DIR}/${name}.cpp)
    foreach(src ${host_src} ${kernel_src})
      if(NOT EXISTS ${src})
        message(FATAL_ERROR "${A_SPEC}: op ${op} needs ${src} (file names are the op type in snake_case)")
      endif()
    endforeach()

    if(NOT TARGET ${A_HOST_TARGET})
      add_library(${A_HOST_TARGET} SHARED ${host_src})
      target_link_libraries(${A_HOST_TARGET} PRIVATE opkit::rt)
      target_compile_options(${A_HOST_TARGET} PRIVATE ${OPKIT_ABI_OPTIONS})
      target_include_directories(${A_HOST_TARGET} PRIVATE ${A_HOST_DIR})
      set_target_properties(${A_HOST_TARGET} PROPERTIES
        LIBRARY_OUTPUT_DIRECTORY ${out}/op_impl INSTALL_RPATH "$ORIGIN/../../lib")
      add_library(${A_ACLNN_TARGET} SHARED)
      # Nothing in the aclnn code calls the op_host library: it is needed for the OP_ADD
      # registrations that run when it loads, so keep it even where the linker drops unused libs.
      target_link_libraries(${A_ACLNN_TARGET} PRIVATE "-Wl,--no-as-needed" ${A_HOST_TARGET} "-Wl,--as-needed" opkit::rt)
      target_include_directories(${A_ACLNN_TARGET} PUBLIC ${out}/op_api/include)
      target_compile_options(${A_ACLNN_TARGET} PRIVATE ${OPKIT_ABI_OPTIONS})
      set_target_properties(${A_ACLNN_TARGET} PROPERTIES OUTPUT_NAME cust_opapi
        LIBRARY_OUTPUT_DIRECTORY ${out}/op_api/lib INSTALL_RPATH "$ORIGIN/../../../lib:$ORIGIN/../../op_impl"
        # a copied or installed layout loads its own op_host library, not the build tree's
        BUILD_RPATH "$ORIGIN/../../op_impl")
      if(A_INSTALL_DIR)
        install(TARGETS ${A_HOST_TARGET} LIBRARY DESTINATION ${A_INSTALL_DIR}/op_impl)
        install(TARGETS ${A_ACLNN_TARGET} LIBRARY DESTINATION ${A_INSTALL_DIR}/op_api/lib)
      endif()
    else()
      target_sources(${A_HOST_TARGET} PRIVATE ${host_src})
    endif()
    target_sources(${A_ACLNN_TARGET} PRIVATE ${out}/op_api/src/aclnn_${name}.cpp)
    if(A_INSTALL_DIR)
      install(FILES ${out}/op_api/include/aclnn_${name}.h DESTINATION ${A_INSTALL_DIR}/op_api/include)
    endif()

    math(EXPR last "${OPKIT_OP_${op}_NCOLUMNS} - 1")
    foreach(i RANGE ${last})
      set(target opkit_kernel_${name}_${i})
      add_library(${target} MODULE ${kernel_src})
      target_link_libraries(${target} PRIVATE opkit::rt)
      target_include_directories(${target} PRIVATE ${A_HOST_DIR} ${A_KERNEL_DIR})
      target_compile_definitions(${target} PRIVATE ${OPKIT_OP_${op}_COLUMN${i}}
        OPKIT_TILING_TYPE=optiling::OpkitTilingOf_${op} __CCE_AICORE__=${OPKIT_CCE_AICORE})
      if(EXISTS ${A_HOST_DIR}/${name}_tiling.h)
        target_compile_options(${target} PRIVATE -include ${A_HOST_DIR}/${name}_tiling.h)
      endif()
      target_compile_options(${target} PRIVATE -O2 -g ${OPKIT_ABI_OPTIONS})  # -g: findings name kernel lines
      set_target_properties(${target} PROPERTIES
        PREFIX "lib" CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
        LIBRARY_OUTPUT_DIRECTORY ${out}/op_impl/kernel
        INSTALL_RPATH "$ORIGIN/../../../lib")
      if(A_INSTALL_DIR)
        install(TARGETS ${target} LIBRARY DESTINATION ${A_INSTALL_DIR}/op_impl/kernel)
      endif()
    endforeach()
  endforeach()
endfunction()
