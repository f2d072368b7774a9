#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-fuzz.sh FUZZER SEEDS WORK_DIR SECONDS MAX_LEN: a bounded libFuzzer run of one target.
# SEEDS is a directory of seed inputs (read recursively, never written), or a program that writes
# them into the directory it is given. Fuzzes for SECONDS with inputs of up to MAX_LEN bytes and
# fails if the fuzzer finds a crash, a broken invariant, a leak, a timeout or an out-of-memory;
# the reproducer is left in WORK_DIR/artifacts.
set -euo pipefail
fuzzer=$1
seeds=$2
work=$3
seconds=$4
max_len=$5
mkdir -p "$work/corpus" "$work/artifacts"
if [ ! -d "$seeds" ]; then
  mkdir -p "$work/seeds"
  "$seeds" "$work/seeds"
  seeds=$work/seeds
fi
exec "$fuzzer" "$work/corpus" "$seeds" \
  -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len="$max_len" \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1
