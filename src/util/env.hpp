// SPDX-License-Identifier: Apache-2.0
// Reading the process environment. A variable set to the empty string counts as not set, as
// shells make it easy to "unset" one by assigning nothing.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>

namespace pindeck::util {

// The value of `name`, or nothing when it is not set or empty.
std::optional<std::string> env(const char* name);

// The value of the first of `names` that is set and not empty, or nothing.
std::optional<std::string> first_env(std::initializer_list<const char*> names);

}  // namespace pindeck::util
