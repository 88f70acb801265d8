# cmake --install: the public headers, libhypatia.a, hypatia-dump and
# hypatia-bench, a CMake package (find_package(Hypatia 0.1) giving
# hypatia::hypatia) and hypatia.pc for pkg-config. Nothing else is needed at
# run time: the codegen templates are compiled into the library
# (cmake/embed_templates.cmake), so an installed program never reads the
# source or build tree.
#
# The library is static, so its private dependencies reach every program that
# links it: HypatiaConfig.cmake finds them again (fmt, Threads, OpenBLAS,
# Graphviz), and hypatia.pc requires them. LLVM and libclang-cpp are linked
# by absolute path, recorded in the exported target.
include(CMakePackageConfigHelpers)

set(HYPATIA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Hypatia)

install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/hypatia
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
install(FILES ${HYPATIA_GENERATED_INCLUDE_DIR}/hypatia/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hypatia)

set_target_properties(hypatia PROPERTIES EXPORT_NAME hypatia)
install(TARGETS hypatia EXPORT HypatiaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS hypatia-dump RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# hypatia-bench installs itself (bench/CMakeLists.txt) when bench/ is built.

# --- CMake package ---------------------------------------------------------
install(EXPORT HypatiaTargets NAMESPACE hypatia:: DESTINATION ${HYPATIA_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/HypatiaConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/HypatiaConfig.cmake
  INSTALL_DESTINATION ${HYPATIA_CMAKE_DIR})
# Before 1.0 a new minor version may change the API (semantic versioning), so
# find_package(Hypatia 0.1) accepts 0.1.x only.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/HypatiaConfigVersion.cmake
  VERSION ${Hypatia_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/HypatiaConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/HypatiaConfigVersion.cmake
        DESTINATION ${HYPATIA_CMAKE_DIR})

# --- pkg-config ------------------------------------------------------------
# prefix is found from the .pc file's own place, so that the installed tree
# may be moved (and cmake --install --prefix works).
file(RELATIVE_PATH HYPATIA_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" HYPATIA_PC_TO_PREFIX "${HYPATIA_PC_TO_PREFIX}")
set(HYPATIA_PC_JIT_LIBS "")
if(HYPATIA_WITH_CLANG)
  set(HYPATIA_PC_JIT_LIBS "${HYPATIA_CLANG_CPP_LIBRARY} ${HYPATIA_LLVM_LIBRARY} -Wl,-rpath,${LLVM_LIBRARY_DIR}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/hypatia.pc.in ${CMAKE_CURRENT_BINARY_DIR}/hypatia.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/hypatia.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
