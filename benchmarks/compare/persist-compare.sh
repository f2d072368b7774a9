#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# persist-compare.sh [BUILD_DIR]: end-to-end ingest of the sample images to a throw-away S3
# server on 127.0.0.1 (Ceph radosgw, as the tests use), libpindeck against sharp +
# @aws-sdk/client-s3 in Node, with 1 and 2 images in flight, printed side by side from one run
# with peak RSS (/usr/bin/time -v). Installs the Node packages from npm on first use.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
here=$root/benchmarks/compare/persist-node
bench=$build/benchmarks/pipeline/persist_benchmark
[ -x "$bench" ] || cmake --build "$build" --target persist_benchmark >&2
[ -d "$here/node_modules" ] || (cd "$here" && npm install --no-audit --no-fund --silent >&2)

export CEPH_S3_DIR=$build/bench-s3 RGW_PORT=${RGW_PORT:-7680} MON_PORT=${MON_PORT:-3500}
export S3_BUCKET=pindeck-bench
"$root/tests/s3-server/start-rgw.sh" > /dev/null
trap '"$root/tests/s3-server/stop-rgw.sh" --purge > /dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1091
source "$CEPH_S3_DIR/s3.env"

images=("$root"/tests/data/images/*.{jpg,png,webp})
rounds=2
peak_kib() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

printf '%-10s %-10s %14s %12s\n' peer in_flight images/s peak_RSS_MiB
for n in 1 2; do
  out=$(mktemp) timing=$(mktemp)
  /usr/bin/time -v "$bench" --benchmark_filter="in_flight:$n/" --benchmark_format=json \
    > "$out" 2> "$timing"
  ours=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["benchmarks"][0]; print(b["images_per_second"])' "$out")
  ours_rss=$(( $(peak_kib "$timing") / 1024 ))
  /usr/bin/time -v node "$here/persist.mjs" "$n" "$rounds" "${images[@]}" > "$out" 2> "$timing"
  node_ips=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read())["imagesPerSecond"])' "$out")
  node_rss=$(( $(peak_kib "$timing") / 1024 ))
  printf '%-10s %-10s %14.3f %12d\n' libpindeck "$n" "$ours" "$ours_rss"
  printf '%-10s %-10s %14.3f %12d\n' node-sharp "$n" "$node_ips" "$node_rss"
  python3 -c 'import sys; print("ratio      in_flight=%s  throughput %.2fx  peak RSS %.2fx" % (sys.argv[1], float(sys.argv[2])/float(sys.argv[3]), float(sys.argv[4])/float(sys.argv[5])))' \
    "$n" "$ours" "$node_ips" "$ours_rss" "$node_rss"
  rm -f "$out" "$timing"
done
