#!/usr/bin/env bash
# test.sh [plain|sanitize|fuzz]...: builds libpindeck (installing what it needs) and runs the test
# suite on each kind of build named; with no argument, on all three, as CI does:
#   plain     the whole suite on a RelWithDebInfo build
#   sanitize  the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
#   fuzz      a bounded libFuzzer run over media probe + derive
# The suite starts and stops its own S3 server on 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(plain sanitize fuzz)

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
for kind in "${kinds[@]}"; do
  echo "== test.sh: $kind build" >&2
  "$root/scripts/build.sh" "$kind"
  case "$kind" in
    plain) ctest --test-dir "$root/build" --output-on-failure --timeout 900 -j "$(nproc)" ;;
    sanitize) ctest --test-dir "$root/build-asan" --output-on-failure --timeout 900 -j "$(nproc)" ;;
    fuzz) ctest --test-dir "$root/build-fuzz" -R '^fuzz_' --output-on-failure --timeout 900 ;;
  esac | tee -a "$summary"
done
# One closing line over every suite that ran (ctest's own closing lines count one build each).
awk '/tests passed, [0-9]+ tests failed out of/ { failed += $4; total += $NF }
     END { printf "test.sh: %d passed, %d failed\n", total - failed, failed }' "$summary"
