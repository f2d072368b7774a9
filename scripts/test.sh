#!/usr/bin/env bash
# test.sh [--sanitize]: builds libpindeck (installing what it needs) and runs the whole test suite.
# The suite starts and stops its own S3 server on 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/build.sh" "$@"
dir=$root/build
[ "${1:-}" = --sanitize ] && dir=$root/build-asan
ctest --test-dir "$dir" --output-on-failure --timeout 900 -j "$(nproc)"
