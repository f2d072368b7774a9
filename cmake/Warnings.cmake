# Strict warnings for the project's own code only (never for third-party headers).
add_library(pindeck_warnings INTERFACE)
target_compile_options(pindeck_warnings INTERFACE -Wall -Wextra $<$<BOOL:${PINDECK_WERROR}>:-Werror>)
