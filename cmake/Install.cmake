# SPDX-License-Identifier: Apache-2.0
# Headers, both libraries, a CMake package (find_package(pindeck CONFIG) -> pindeck::pindeck) and a
# pkg-config file. Only the shared library is exported to CMake: the libraries it links stay
# private to it.
include(CMakePackageConfigHelpers)

# What the public headers need in a consumer: C++20 (client.hpp) and Boost.Asio with its threads
# (async.hpp). pindeckConfig.cmake finds the same dependencies for the installed package.
target_compile_features(pindeck INTERFACE cxx_std_20)
target_link_libraries(pindeck INTERFACE Boost::headers Threads::Threads)

install(TARGETS pindeck EXPORT pindeckTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS pindeck_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/pindeck DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/include/pindeck/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pindeck)

set(PINDECK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/pindeck)
install(EXPORT pindeckTargets NAMESPACE pindeck:: DESTINATION ${PINDECK_CMAKE_DIR})
configure_package_config_file(cmake/pindeckConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/pindeckConfig.cmake INSTALL_DESTINATION ${PINDECK_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/pindeckConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pindeckConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/pindeckConfigVersion.cmake DESTINATION ${PINDECK_CMAKE_DIR})

# The .pc file finds its prefix from where it lies, so `cmake --install --prefix` anywhere works.
file(RELATIVE_PATH PINDECK_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
configure_file(cmake/pindeck.pc.in ${CMAKE_CURRENT_BINARY_DIR}/pindeck.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pindeck.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
