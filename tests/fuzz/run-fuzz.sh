#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-fuzz.sh FUZZER MAKE_SEEDS WORK_DIR [SECONDS]: a bounded libFuzzer run over probe + derive.
# Makes the seed corpus with MAKE_SEEDS, fuzzes for SECONDS (default 60) and fails if the fuzzer
# finds a crash, a leak, a timeout or an out-of-memory; the reproducer is left in WORK_DIR.
set -euo pipefail
fuzzer=$1
make_seeds=$2
work=$3
seconds=${4:-60}
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
"$make_seeds" "$work/seeds"
exec "$fuzzer" "$work/corpus" "$work/seeds" \
  -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1
