#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bindings-overhead.sh [ROUNDS]: what the Python and Node bindings add to the C ABI on the same
# work, in the same run, with persistence on the embedded local object store behind the uploads.
#  - get: 10,000 gets of one persisted record, the mean per call of the C program
#    (benchmarks/capi/capi_bench), Python and Node, each in its own process.
#  - upload of a small image (truchet's 320 px WebP derivative, 14 kB): each binding upload
#    alternates with the same upload through the C ABI in the same process (Python's with bare
#    ctypes pd_upload_bytes, Node's with pd_upload_bytes_async waited for in C), 300 pairs; the
#    median of the paired differences is what the binding adds. They run on tmpfs (/dev/shm):
#    a disk's fsync times scatter by milliseconds and would hide tens of microseconds, while
#    what a binding adds does not depend on the disk. That cost is then given as a share of the
#    C program's upload on tmpfs (the strict case) and in $TMPDIR (an ordinary data directory on
#    disk, where every upload waits for its fsyncs).
# Prints each round, the median over the rounds (default 3) and each program's peak RSS. Needs a
# plain build with the benchmarks and the Node addon (scripts/build.sh plain).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${PINDECK_BUILD_DIR:-$root/build}
rounds=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fast=/dev/shm
[[ -d $fast && -w $fast ]] || fast=${TMPDIR:-/tmp}
pairs=300

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

# The C program's mean get and median uploads (blocking, then asynchronous) from its JSON output.
c_figures() {
  /usr/bin/python3 -c '
import json, sys
runs = {r["name"].split("/")[0]: r for r in json.load(open(sys.argv[1]))["benchmarks"]}
get = runs.get("BM_RecordGetPersisted", {}).get("real_time", 0)
print(get, runs["BM_UploadBytes"]["median_us"], runs["BM_UploadBytesAsync"]["median_us"])' "$1"
}

# One line per round in $work/rounds: the figures, then peak RSS.
for round in $(seq "$rounds"); do
  TMPDIR=$fast PINDECK_BENCH_IMAGE=$image measure "$build/benchmarks/capi/capi_bench" \
    --benchmark_filter='BM_RecordGetPersisted|BM_UploadBytes' \
    --benchmark_out="$work/c.json" --benchmark_out_format=json
  read -r c_get c_fast c_fast_async < <(c_figures "$work/c.json")
  c_rss=$(cat "$work/rss")
  PINDECK_BENCH_IMAGE=$image measure "$build/benchmarks/capi/capi_bench" \
    --benchmark_filter='BM_UploadBytes' --benchmark_out="$work/c.json" --benchmark_out_format=json
  read -r _ c_disk c_disk_async < <(c_figures "$work/c.json")

  TMPDIR=$fast measure /usr/bin/python3 "$root/bindings/python/bench_overhead.py" \
    --image "$image" --uploads "$pairs"
  py_get=$(awk '/pindeck.Client.get/ { print $(NF-1) }' "$work/out")
  py_upload=$(awk '/^upload difference/ { print $(NF-1) }' "$work/out")
  py_rss=$(cat "$work/rss")

  TMPDIR=$fast measure node "$root/bindings/node/bench/overhead.js" "$image" "$pairs"
  node_get=$(awk '/^node get/ { print $3 }' "$work/out")
  node_upload=$(awk '/^upload difference/ { print $3 }' "$work/out")
  node_rss=$(cat "$work/rss")

  echo "$c_get $py_get $node_get $c_fast $c_fast_async $c_disk $c_disk_async $py_upload" \
    "$node_upload $c_rss $py_rss $node_rss" >> "$work/rounds"
  echo "round $round of $rounds done" >&2
done

/usr/bin/python3 - "$work/rounds" << 'EOF'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
names = ["c_get", "py_get", "node_get", "c_fast", "c_fast_async", "c_disk", "c_disk_async",
         "py_up", "node_up", "c_rss", "py_rss", "node_rss"]
rounds = [dict(zip(names, row)) for row in rows]
print("get: mean µs per call; upload: median µs per call (C) and median µs added (bindings)")
print(f"{'round':<6}{'get C':>8}{'Py +':>7}{'Node +':>8}{'up C tmpfs':>12}{'async':>8}"
      f"{'up C disk':>11}{'async':>8}{'Py +':>7}{'Node +':>8}")
for n, r in enumerate(rounds, 1):
    print(f"{n:<6}{r['c_get']:8.2f}{r['py_get'] - r['c_get']:7.2f}{r['node_get'] - r['c_get']:8.2f}"
          f"{r['c_fast']:12.0f}{r['c_fast_async']:8.0f}{r['c_disk']:11.0f}{r['c_disk_async']:8.0f}"
          f"{r['py_up']:7.1f}{r['node_up']:8.1f}")
m = {k: statistics.median(r[k] for r in rounds) for k in names}
print(f"median of {len(rounds)} rounds:")
print(f"  get      Python +{m['py_get'] - m['c_get']:.2f} µs, Node +{m['node_get'] - m['c_get']:.2f} µs"
      f" over C's {m['c_get']:.2f} µs")
print(f"  upload   Python +{m['py_up']:.1f} µs: {100 * m['py_up'] / m['c_fast']:.1f}% of C's upload"
      f" on tmpfs ({m['c_fast']:.0f} µs), {100 * m['py_up'] / m['c_disk']:.1f}% on disk"
      f" ({m['c_disk']:.0f} µs)")
print(f"           Node +{m['node_up']:.1f} µs: {100 * m['node_up'] / m['c_fast_async']:.1f}% of C's"
      f" asynchronous upload on tmpfs ({m['c_fast_async']:.0f} µs), "
      f"{100 * m['node_up'] / m['c_disk_async']:.1f}% on disk ({m['c_disk_async']:.0f} µs)")
print(f"peak RSS (MiB): C {max(r['c_rss'] for r in rounds):.0f}, "
      f"Python {max(r['py_rss'] for r in rounds):.0f}, Node {max(r['node_rss'] for r in rounds):.0f}")
EOF
