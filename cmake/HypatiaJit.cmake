# The CPU JIT: in-process Clang 19 + LLVM ORC when HYPATIA_WITH_CLANG is ON,
# otherwise a stub that reports the JIT as unavailable. Either way hypatia links
# OpenBLAS's CBLAS, whose cblas_* generated code resolves from the process.
#
# LLVM and Clang stay private to runtime/cpu/jit.cpp: their headers are system
# includes of that one file, and LLVM's compile flags (llvm-config adds
# -fno-exceptions) are not taken: the library uses exceptions.

# --- OpenBLAS (CBLAS) -------------------------------------------------------
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
unset(BLA_VENDOR)
find_path(HYPATIA_CBLAS_INCLUDE_DIR cblas.h
  PATH_SUFFIXES openblas x86_64-linux-gnu/openblas-pthread
  DOC "Directory holding OpenBLAS's cblas.h")
if(NOT HYPATIA_CBLAS_INCLUDE_DIR)
  message(FATAL_ERROR "cblas.h not found: install libopenblas-dev (tools/setup.sh)")
endif()
# PUBLIC: the executable must load libopenblas itself, since ORC looks cblas_*
# up in the process (dlsym) when generated code calls them.
target_link_libraries(hypatia PUBLIC BLAS::BLAS)
target_include_directories(hypatia PRIVATE ${HYPATIA_CBLAS_INCLUDE_DIR})

# --- LLVM / Clang 19 ----------------------------------------------------------
if(NOT HYPATIA_WITH_CLANG)
  target_sources(hypatia PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/runtime/cpu/jit_unavailable.cpp)
  return()
endif()

# No version in the call: LLVMConfigVersion accepts only an exact major.minor.
# LLVMConfig looks for optional packages (LibEdit, zstd, CURL) we do not use;
# keep its "Could NOT find" lines out of every configure.
set(_hypatia_log_level "${CMAKE_MESSAGE_LOG_LEVEL}")
set(CMAKE_MESSAGE_LOG_LEVEL WARNING)
find_package(LLVM CONFIG REQUIRED HINTS /usr/lib/llvm-19/lib/cmake/llvm)
set(CMAKE_MESSAGE_LOG_LEVEL "${_hypatia_log_level}")
if(NOT LLVM_VERSION_MAJOR EQUAL 19)
  message(FATAL_ERROR "Hypatia's JIT needs LLVM 19, found ${LLVM_PACKAGE_VERSION} in "
                      "${LLVM_DIR}; set LLVM_DIR=/usr/lib/llvm-19/lib/cmake/llvm")
endif()
message(STATUS "Hypatia JIT: LLVM ${LLVM_PACKAGE_VERSION} in ${LLVM_INSTALL_PREFIX}")
# Debian ships no ClangConfig.cmake for 19; Clang's headers sit beside LLVM's
# and libclang-cpp beside libLLVM.
find_path(HYPATIA_CLANG_INCLUDE_DIR clang/Frontend/CompilerInstance.h
  HINTS ${LLVM_INCLUDE_DIRS} NO_DEFAULT_PATH)
find_library(HYPATIA_CLANG_CPP_LIBRARY NAMES clang-cpp
  HINTS ${LLVM_LIBRARY_DIR} NO_DEFAULT_PATH)
find_library(HYPATIA_LLVM_LIBRARY NAMES LLVM-${LLVM_VERSION_MAJOR} LLVM
  HINTS ${LLVM_LIBRARY_DIR} NO_DEFAULT_PATH)
foreach(var HYPATIA_CLANG_INCLUDE_DIR HYPATIA_CLANG_CPP_LIBRARY HYPATIA_LLVM_LIBRARY)
  if(NOT ${var})
    message(FATAL_ERROR "${var} not found: install libclang-19-dev libclang-cpp19-dev "
                        "llvm-19-dev (tools/setup.sh), or pass -DHYPATIA_WITH_CLANG=OFF")
  endif()
endforeach()

set(_hypatia_jit_source ${CMAKE_CURRENT_SOURCE_DIR}/runtime/cpu/jit.cpp)
target_sources(hypatia PRIVATE ${_hypatia_jit_source})
separate_arguments(_hypatia_llvm_definitions UNIX_COMMAND "${LLVM_DEFINITIONS}")
set(_hypatia_llvm_includes ${LLVM_INCLUDE_DIRS} ${HYPATIA_CLANG_INCLUDE_DIR})
list(REMOVE_DUPLICATES _hypatia_llvm_includes)
list(TRANSFORM _hypatia_llvm_includes PREPEND "-isystem")
set_property(SOURCE ${_hypatia_jit_source} APPEND PROPERTY COMPILE_OPTIONS
  ${_hypatia_llvm_includes} ${_hypatia_llvm_definitions})

# Shared libraries, so that the process holds one copy of LLVM's global state.
# PRIVATE still reaches the final link when hypatia is static; the rpath lets
# executables find them outside the build tree too (not in the default path).
target_link_libraries(hypatia PRIVATE ${HYPATIA_CLANG_CPP_LIBRARY} ${HYPATIA_LLVM_LIBRARY})
target_link_options(hypatia INTERFACE "LINKER:-rpath,${LLVM_LIBRARY_DIR}")
