#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bindings-overhead.sh [ROUNDS]: what the Python and Node bindings add to the C ABI on the same
# work, in the same run: 10,000 gets of one persisted record and 100 uploads of a small image
# (truchet's 320 px WebP derivative, 14 kB), on the embedded local object store. Each round runs
# the C program (benchmarks/capi/capi_bench), then Python, then Node, and prints microseconds per
# call, the overhead over C and each program's peak RSS. Python's blocking upload is compared with
# C's pd_upload_bytes, Node's (a Promise) with C's pd_upload_bytes_async waited for. Needs a plain build with the benchmarks
# and the Node addon (scripts/build.sh plain).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${PINDECK_BUILD_DIR:-$root/build}
rounds=${1:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export PINDECK_LIBRARY=$build/libpindeck.so PINDECK_BUILD_DIR=$build
export PYTHONPATH=$root/bindings/python PYTHONDONTWRITEBYTECODE=1
image=$work/small.webp
/usr/bin/python3 - "$root/tests/data/images/truchet-l.webp" "$image" << 'EOF'
import sys
import pindeck
open(sys.argv[2], "wb").write(pindeck.derive(sys.argv[1], palette=False)["small"].data)
EOF

# Runs a command under /usr/bin/time, leaving its output in $work/out and its peak RSS (MiB) in
# $work/rss.
measure() {
  /usr/bin/time -f '%M' -o "$work/rss.kb" "$@" > "$work/out" 2> "$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  awk '{ printf "%.0f", $1 / 1024 }' "$work/rss.kb" > "$work/rss"
}

for round in $(seq "$rounds"); do
  echo "== round $round"
  PINDECK_BENCH_IMAGE=$image measure "$build/benchmarks/capi/capi_bench" \
    --benchmark_filter='BM_RecordGetPersisted|BM_UploadBytes'
  c_get=$(awk '/^BM_RecordGetPersisted/ { print $2 }' "$work/out")
  c_upload=$(awk '/^BM_UploadBytes\// { print $2 }' "$work/out")
  c_upload_async=$(awk '/^BM_UploadBytesAsync/ { print $2 }' "$work/out")
  c_rss=$(cat "$work/rss")

  measure /usr/bin/python3 "$root/bindings/python/bench_overhead.py" --image "$image"
  py_get=$(awk '/pindeck.Client.get/ { print $(NF-1) }' "$work/out")
  py_upload=$(awk '/^upload/ { print $(NF-1) }' "$work/out")
  py_rss=$(cat "$work/rss")

  measure node "$root/bindings/node/bench/overhead.js" "$image"
  node_get=$(awk '/^node get/ { print $3 }' "$work/out")
  node_upload=$(awk '/^node upload/ { print $3 }' "$work/out")
  node_rss=$(cat "$work/rss")

  awk -v cg="$c_get" -v cu="$c_upload" -v ca="$c_upload_async" -v pg="$py_get" -v pu="$py_upload" -v ng="$node_get" \
    -v nu="$node_upload" -v cr="$c_rss" -v pr="$py_rss" -v nr="$node_rss" 'BEGIN {
    printf "%-8s %12s %14s %14s %16s %10s\n", "host", "get (µs)", "over C (µs)", "upload (µs)",
      "upload / C", "peak MiB"
    printf "%-8s %12.2f %14s %14.0f %16s %10d\n", "C", cg, "-", cu, "-", cr
    printf "%-8s %12s %14s %14.0f %16s %10s\n", "C async", "-", "-", ca, "-", "-"
    printf "%-8s %12.2f %14.2f %14.0f %16.3f %10d\n", "Python", pg, pg - cg, pu, pu / cu, pr
    printf "%-8s %12.2f %14.2f %14.0f %16.3f %10d\n", "Node", ng, ng - cg, nu, nu / ca, nr
  }'
done
