# The packaging tests, one STEP per ctest entry (cmake -P this file):
#
#   install           cmake --install of the build tree into WORK_DIR/prefix; the
#                     expected files are there, name no source or build path, and
#                     the installed hypatia-dump runs
#   find_package      downstream/ configured against that prefix with
#                     find_package(Hypatia 0.1), built and run; find_package of a
#                     version the package does not satisfy fails
#   add_subdirectory  downstream/ with Hypatia's source tree added as a
#                     subdirectory (its build dir persists: reruns are incremental)
#   pkg_config        pkg-config --cflags --libs hypatia resolves inside the
#                     prefix, and downstream/main.cpp built with those flags runs
#
# Each run of the downstream program compiles its function cold, into a fresh
# cache directory: the codegen templates must come from the library, since an
# installed program has no tree to read them from. Its read-only data is also
# searched for the source and build directories' paths.
#
# Inputs (-D): STEP, HYPATIA_SOURCE_DIR, HYPATIA_BUILD_DIR, WORK_DIR, GENERATOR,
# CXX_COMPILER, BUILD_TYPE, WITH_CLANG, LIBDIR (CMAKE_INSTALL_LIBDIR), WITH_BENCH
# (1 when the build has hypatia-bench).
cmake_minimum_required(VERSION 3.25)

foreach(var STEP HYPATIA_SOURCE_DIR HYPATIA_BUILD_DIR WORK_DIR GENERATOR CXX_COMPILER BUILD_TYPE LIBDIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "packaging.cmake: -D${var}=... is required")
  endif()
endforeach()

set(PREFIX ${WORK_DIR}/prefix)
set(DOWNSTREAM_SOURCE ${CMAKE_CURRENT_LIST_DIR}/downstream)

# Runs a command; any failure ends the test with its output.
function(run)
  string(JOIN " " shown ${ARGN})
  message(STATUS "$ ${shown}")
  execute_process(COMMAND ${ARGN} COMMAND_ERROR_IS_FATAL ANY)
endfunction()

# Runs the downstream program EXE with a fresh cache directory.
function(run_downstream exe)
  set(cache ${WORK_DIR}/${STEP}-cache)
  file(REMOVE_RECURSE ${cache})
  set(env HYPATIA_FLAGS=cache_dir=${cache} HYPATIARC=/nonexistent)
  if(NOT WITH_CLANG)
    list(APPEND env HYPATIA_DOWNSTREAM_NO_JIT=1)
  endif()
  run(${CMAKE_COMMAND} -E env ${env} ${exe})
  check_no_tree_paths(${exe})
endfunction()

# Fails when TEXT names a file of the source or build tree; WHAT says whose text.
function(check_names_no_tree text what)
  foreach(tree ${HYPATIA_SOURCE_DIR} ${HYPATIA_BUILD_DIR})
    string(FIND "${text}" "${tree}/" at)
    if(NOT at EQUAL -1)
      string(SUBSTRING "${text}" ${at} 160 path)
      message(FATAL_ERROR "${what} names a file of ${tree}: ${path}")
    endif()
  endforeach()
endfunction()

# Fails when the executable's read-only data (its string literals; not its
# debug information) names a file of the source or build tree: a path it
# might read at run time.
function(check_no_tree_paths exe)
  set(rodata ${exe}.rodata)
  run(objcopy -O binary --only-section=.rodata ${exe} ${rodata})
  file(STRINGS ${rodata} strings)
  string(JOIN "\n" text ${strings})
  check_names_no_tree("${text}" "the read-only data of ${exe}")
endfunction()

function(configure_downstream build_dir build_type)
  run(${CMAKE_COMMAND} -S ${DOWNSTREAM_SOURCE} -B ${build_dir} -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=${build_type} ${ARGN})
endfunction()

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE ${PREFIX})
  run(${CMAKE_COMMAND} --install ${HYPATIA_BUILD_DIR} --prefix ${PREFIX})
  set(libdir ${PREFIX}/${LIBDIR})
  set(expected
    ${PREFIX}/include/hypatia/hypatia.hpp ${PREFIX}/include/hypatia/version.hpp
    ${PREFIX}/include/hypatia/render.hpp ${libdir}/libhypatia.a ${PREFIX}/bin/hypatia-dump
    ${libdir}/cmake/Hypatia/HypatiaConfig.cmake ${libdir}/cmake/Hypatia/HypatiaConfigVersion.cmake
    ${libdir}/cmake/Hypatia/HypatiaTargets.cmake ${libdir}/pkgconfig/hypatia.pc)
  if(WITH_BENCH)
    list(APPEND expected ${PREFIX}/bin/hypatia-bench)
  endif()
  foreach(file ${expected})
    if(NOT EXISTS ${file})
      message(FATAL_ERROR "cmake --install did not install ${file}")
    endif()
  endforeach()
  # The package files describe the prefix, never the trees it was built from.
  file(GLOB_RECURSE package_files ${libdir}/cmake/Hypatia/* ${libdir}/pkgconfig/hypatia.pc
       ${PREFIX}/include/*)
  foreach(file ${package_files})
    file(READ ${file} text)
    check_names_no_tree("${text}" ${file})
  endforeach()
  # The installed tool finds its shared libraries (LLVM) without the build tree.
  file(REMOVE_RECURSE ${WORK_DIR}/install-cache)
  run(${PREFIX}/bin/hypatia-dump stats --cache-dir ${WORK_DIR}/install-cache)

elseif(STEP STREQUAL "find_package")
  set(build ${WORK_DIR}/find_package-build)
  file(REMOVE_RECURSE ${build})
  configure_downstream(${build} ${BUILD_TYPE} -DHYPATIA_FROM=find_package -DCMAKE_PREFIX_PATH=${PREFIX})
  run(${CMAKE_COMMAND} --build ${build} -j2)
  run_downstream(${build}/downstream)
  # The version file refuses what the package does not provide.
  set(too_new ${WORK_DIR}/find_package-too-new)
  file(REMOVE_RECURSE ${too_new})
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${DOWNSTREAM_SOURCE} -B ${too_new} -G ${GENERATOR}
            -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DHYPATIA_REQUIRED_VERSION=99.0
            -DCMAKE_PREFIX_PATH=${PREFIX}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0 OR NOT "${err}" MATCHES "requested version \"99.0\".*HypatiaConfig.cmake, version: ")
    message(FATAL_ERROR "find_package(Hypatia 99.0) did not fail on the version (rc ${rc}):\n${err}")
  endif()
  message(STATUS "find_package(Hypatia 99.0) refused, as it should")

elseif(STEP STREQUAL "add_subdirectory")
  set(build ${WORK_DIR}/add_subdirectory-build)
  # No build type, so no optimisation flags: the library compiles in about
  # three quarters of the time, and what is tested here is the wiring.
  configure_downstream(${build} "" -DHYPATIA_FROM=add_subdirectory -DHYPATIA_SOURCE_DIR=${HYPATIA_SOURCE_DIR})
  run(${CMAKE_COMMAND} --build ${build} -j2)
  run_downstream(${build}/downstream)

elseif(STEP STREQUAL "pkg_config")
  set(build ${WORK_DIR}/pkg_config-build)
  file(REMOVE_RECURSE ${build})
  file(MAKE_DIRECTORY ${build})
  set(ENV{PKG_CONFIG_PATH} ${PREFIX}/${LIBDIR}/pkgconfig)
  execute_process(COMMAND pkg-config --cflags --libs hypatia
                  OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  message(STATUS "pkg-config --cflags --libs hypatia: ${flags}")
  separate_arguments(flags UNIX_COMMAND "${flags}")
  # -I and -L must name the installed prefix's directories.
  foreach(want "-I;${PREFIX}/include" "-L;${PREFIX}/${LIBDIR}")
    list(GET want 0 option)
    list(GET want 1 dir)
    set(found FALSE)
    foreach(flag ${flags})
      if(flag MATCHES "^${option}(.+)$")
        get_filename_component(resolved "${CMAKE_MATCH_1}" REALPATH)
        get_filename_component(dir_resolved "${dir}" REALPATH)
        if(resolved STREQUAL dir_resolved)
          set(found TRUE)
        endif()
      endif()
    endforeach()
    if(NOT found)
      message(FATAL_ERROR "pkg-config gave no ${option} for ${dir}: ${flags}")
    endif()
  endforeach()
  run(${CXX_COMPILER} -std=c++20 -O1 ${DOWNSTREAM_SOURCE}/main.cpp -o ${build}/downstream ${flags})
  run_downstream(${build}/downstream)

else()
  message(FATAL_ERROR "packaging.cmake: unknown STEP '${STEP}'")
endif()
