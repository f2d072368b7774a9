#!/usr/bin/env bash
# build.sh [plain|sanitize|fuzz]: installs the dependencies, configures and builds libpindeck.
#   plain     (default) RelWithDebInfo in build/
#   sanitize  AddressSanitizer + UndefinedBehaviorSanitizer, Debug, in build-asan/
#   fuzz      clang with libFuzzer and the sanitizers, only the fuzz targets, in build-fuzz/
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"

kind=${1:-plain}
targets=()
case "$kind" in
  plain)
    dir=$root/build
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  sanitize)
    dir=$root/build-asan
    args=(-DCMAKE_BUILD_TYPE=Debug -DPINDECK_SANITIZE=ON -DPINDECK_BUILD_BENCHMARKS=OFF) ;;
  fuzz)
    dir=$root/build-fuzz
    args=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
          -DPINDECK_FUZZ=ON -DPINDECK_SANITIZE=ON -DPINDECK_BUILD_BENCHMARKS=OFF
          -DPINDECK_BUILD_EXAMPLES=OFF)
    targets=(--target fuzz_media fuzz_media_seeds) ;;
  *) echo "usage: build.sh [plain|sanitize|fuzz]" >&2; exit 2 ;;
esac
cmake -S "$root" -B "$dir" -G Ninja "${args[@]}" > /dev/null
cmake --build "$dir" --parallel "$(nproc)" "${targets[@]}"
