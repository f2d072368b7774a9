#!/usr/bin/env bash
# build.sh [--sanitize]: installs the dependencies, configures and builds libpindeck.
# Plain builds go to build/, ASan+UBSan builds to build-asan/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"

dir=$root/build
args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = --sanitize ]; then
  dir=$root/build-asan
  args=(-DCMAKE_BUILD_TYPE=Debug -DPINDECK_SANITIZE=ON -DPINDECK_BUILD_BENCHMARKS=OFF)
fi
cmake -S "$root" -B "$dir" -G Ninja "${args[@]}" > /dev/null
cmake --build "$dir" --parallel "$(nproc)"
