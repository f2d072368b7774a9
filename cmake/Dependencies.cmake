# SPDX-License-Identifier: Apache-2.0
# All dependencies come from Debian's packages (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)
# The PostgreSQL catalog backend (src/catalog/postgres), through libpq.
find_package(PostgreSQL REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(pugixml REQUIRED)
# pindeckConfig.cmake asks a consumer for the same Boost (the public async.hpp needs it).
set(PINDECK_BOOST_MIN_VERSION 1.81)
find_package(Boost ${PINDECK_BOOST_MIN_VERSION} REQUIRED CONFIG)
pkg_check_modules(VIPS REQUIRED IMPORTED_TARGET vips)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)
# Reads Convex exports given as a .zip (sources/pindeck_export).
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)

# Asio without Boost.System's compiled part, and without deprecated interfaces. Every part and
# every test that uses Asio must see the same macros: the template instances they share are
# merged by the linker, and instances compiled under different macros do not agree on layouts.
add_library(pindeck_asio INTERFACE)
target_link_libraries(pindeck_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(pindeck_asio INTERFACE BOOST_ASIO_NO_DEPRECATED)

add_library(pindeck_deps INTERFACE)
target_link_libraries(pindeck_deps INTERFACE
  Threads::Threads OpenSSL::Crypto OpenSSL::SSL CURL::libcurl SQLite::SQLite3 PostgreSQL::PostgreSQL
  nlohmann_json::nlohmann_json pugixml::pugixml pindeck_asio PkgConfig::VIPS PkgConfig::ICU
  PkgConfig::LIBZIP)
