# SPDX-License-Identifier: Apache-2.0
# Strict warnings for the project's own code only (never for third-party headers).
add_library(pindeck_warnings INTERFACE)
target_compile_options(pindeck_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wmissing-declarations $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>
  $<$<BOOL:${PINDECK_WERROR}>:-Werror>)
