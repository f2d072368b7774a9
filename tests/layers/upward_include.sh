#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# upward_include.sh CXX INCLUDE_FLAG...: with the catalog part's own include path (the flags), the
# compiler finds the catalog's and the model's headers but not the pipeline's: an include of a
# part above is a build error, not a convention.
set -euo pipefail
cxx=${1:?}
shift
# The system directory is the compiler's own; named again with -I it breaks libstdc++'s
# #include_next.
flags=()
for flag in "$@"; do [[ "$flag" == -I/usr/include ]] || flags+=("$flag"); done
set -- "${flags[@]}"
compile() {
  local header=$1
  shift
  echo "#include \"$header\"" | "$cxx" -std=c++20 -fsyntax-only -x c++ - "$@" 2>&1
}

compile catalog/catalog.hpp "$@" > /dev/null || { echo "catalog's own header did not compile" >&2; exit 1; }
compile model/ids.hpp "$@" > /dev/null || { echo "the model (below catalog) was not reachable" >&2; exit 1; }
if out=$(compile pipeline/persistence.hpp "$@"); then
  echo "catalog could include pipeline/persistence.hpp" >&2
  exit 1
fi
grep -q 'No such file' <<< "$out" || { echo "unexpected failure: $out" >&2; exit 1; }
echo "upward_include: the pipeline is out of the catalog's reach"
