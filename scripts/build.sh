#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# build.sh [plain|sanitize|fuzz|release] [cmake --build options...]: configures and builds libpindeck
# with the CMake preset of that name (CMakePresets.json), warnings as errors. Only a tree not yet
# configured first gets its dependencies installed (scripts/install-deps.sh): a rebuild never
# looks at apt.
#   plain     (default) Release with the tests and benchmarks, in build/
#   sanitize  AddressSanitizer + UndefinedBehaviorSanitizer, Debug, in build-asan/
#   fuzz      clang with libFuzzer and the sanitizers, only the fuzz targets, in build-fuzz/
#   release   Release in build-release/, as a user builds it
# Options after the kind go to `cmake --build`, e.g. `build.sh plain --target pindeck_cli`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kind=${1:-plain}
[ $# -gt 0 ] && shift

# The binary directories of the presets.
case "$kind" in
  plain) dir=build ;;
  sanitize) dir=build-asan ;;
  fuzz) dir=build-fuzz ;;
  release) dir=build-release ;;
  *) echo "usage: build.sh [plain|sanitize|fuzz|release] [cmake --build options...]" >&2; exit 2 ;;
esac
if [ ! -f "$root/$dir/CMakeCache.txt" ]; then
  deps=(build)
  [ "$kind" = fuzz ] && deps+=(fuzz)
  "$root/scripts/install-deps.sh" "${deps[@]}"
fi

cd "$root"
cmake --preset "$kind" -DPINDECK_WERROR=ON > /dev/null
cmake --build --preset "$kind" --parallel "$(nproc)" "$@"
