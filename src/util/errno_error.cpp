// SPDX-License-Identifier: Apache-2.0
#include "util/errno_error.hpp"

#include <cerrno>
#include <cstring>
#include <string>

namespace pindeck::util {

Error errno_error(std::string_view what, const std::filesystem::path& path, int error_number) {
  const Errc code = error_number == ENOENT ? Errc::not_found : Errc::io;
  return Error(code,
               std::string(what) + " '" + path.string() + "': " + std::strerror(error_number));
}

Error errno_error(std::string_view what, const std::filesystem::path& path, std::error_code error) {
  const Errc code = error == std::errc::no_such_file_or_directory ? Errc::not_found : Errc::io;
  return Error(code, std::string(what) + " '" + path.string() + "': " + error.message());
}

}  // namespace pindeck::util
