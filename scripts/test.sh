#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test.sh [plain|release|sanitize|fuzz]...: builds libpindeck (installing what it needs) and runs
# the test suite on each kind of build named; with no argument, on plain, sanitize and fuzz, as CI
# does:
#   plain     a Release build of what a user builds (library, command, examples, Node addon), which
#             must compile without a warning, with the tests and benchmarks; the whole suite runs
#   release   the same Release build without the tests, configured as a user configures it (no
#             tests run; not in CI: plain compiles the same files with the same flags)
#   sanitize  the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
#   fuzz      bounded libFuzzer runs: media probe + derive, record JSON, S3 XML, cursors, SigV4
# The suite starts and stops its own S3 server on 127.0.0.1. Every kind runs even after one
# fails; the exit status is non-zero when anything failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(plain sanitize fuzz)

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
status=0
for kind in "${kinds[@]}"; do
  echo "== test.sh: $kind build" >&2
  if ! "$root/scripts/build.sh" "$kind"; then
    echo "test.sh: the $kind build failed" | tee -a "$summary"
    status=1
    continue
  fi
  case "$kind" in
    release)
      echo "test.sh: the release build passed" | tee -a "$summary" ;;
    plain | sanitize)
      "$root/scripts/install-deps.sh" test
      (cd "$root" && ctest --preset "$kind" --no-tests=error -j "$(nproc)") | tee -a "$summary" || status=1 ;;
    fuzz)
      # libFuzzer runs on one thread: the bounded runs share the cores.
      (cd "$root" && ctest --preset fuzz --no-tests=error -j "$(nproc)") | tee -a "$summary" || status=1 ;;
  esac
done
# One closing line over everything that ran: ctest's own closing lines (one per suite), and a
# build that passed or failed counts as one check.
awk '/tests passed, [0-9]+ tests failed out of/ { failed += $4; total += $NF }
     /^test.sh: the [a-z]+ build passed$/ { total += 1 }
     /^test.sh: the [a-z]+ build failed$/ { total += 1; failed += 1 }
     END { printf "test.sh: %d passed, %d failed\n", total - failed, failed }' "$summary"
exit "$status"
