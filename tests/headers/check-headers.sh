#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check-headers.sh CC CXX PUBLIC_INCLUDE_DIR GENERATED_INCLUDE_DIR DEPENDENCY_INCLUDE_DIRS
# (the last a CMake list: directories separated by ';', such as Boost's).
# Compiles every public header alone, included twice (so its include guard is exercised too):
# each pindeck/*.h as C99 with -pedantic (and -Wstrict-prototypes: in C, f() takes any arguments),
# each pindeck/*.hpp as C++20, all with -Wall -Wextra -Werror.
# The headers are found when the test runs, so a header added later is checked without a change
# here. Any failure names the header and shows the compiler's message.
set -euo pipefail
cc=$1 cxx=$2 public=$3 generated=$4
includes=(-I "$public" -I "$generated")
IFS=';' read -r -a dependency_dirs <<< "$5"
for dir in "${dependency_dirs[@]}"; do includes+=(-isystem "$dir"); done
warnings=(-Wall -Wextra -pedantic -Werror)

failed=0
check() {
  local lang=$1 std=$2 compiler=$3 header=$4 out extra=()
  [ "$lang" = c ] && extra=(-Wstrict-prototypes)
  # The typedef keeps a header of macros only (export.h) from being an empty translation unit.
  if out=$(printf '#include "%s"\n#include "%s"\ntypedef int not_empty;\n' "$header" "$header" |
      "$compiler" -x "$lang" "-std=$std" "${warnings[@]}" "${extra[@]}" "${includes[@]}" \
        -fsyntax-only - 2>&1); then
    echo "ok    $header ($std)"
  else
    echo "FAIL  $header ($std) does not compile alone:"
    echo "$out"
    failed=1
  fi
}

shopt -s nullglob
headers=("$public"/pindeck/*.h "$generated"/pindeck/*.h)
[ ${#headers[@]} -gt 0 ] || { echo "no C headers under $public/pindeck" >&2; exit 1; }
for path in "${headers[@]}"; do
  check c c99 "$cc" "pindeck/${path##*/}"
done
headers=("$public"/pindeck/*.hpp)
[ ${#headers[@]} -gt 0 ] || { echo "no C++ headers under $public/pindeck" >&2; exit 1; }
for path in "${headers[@]}"; do
  check c++ c++20 "$cxx" "pindeck/${path##*/}"
done
exit "$failed"
