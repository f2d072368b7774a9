// SPDX-License-Identifier: Apache-2.0
// A failed system call on a file as a pindeck::Error, the same way in every part.
#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

#include "pindeck/error.hpp"

namespace pindeck::util {

// "<what> '<path>': <strerror(error_number)>", as Errc::not_found for ENOENT and Errc::io for
// anything else. Pass errno as it was right after the failed call.
Error errno_error(std::string_view what, const std::filesystem::path& path, int error_number);
// The same for the error code a std::filesystem call reported.
Error errno_error(std::string_view what, const std::filesystem::path& path, std::error_code error);

}  // namespace pindeck::util
