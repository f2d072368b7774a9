#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run.sh [build dir]: S3 client benchmarks against a radosgw this script starts and stops itself
# (ports 7680/3600, data under <build>/bench-s3-server; memstore keeps objects in RAM).
#  1. bench_s3_put: 64 MiB PUT throughput, pindeck (single PUT, 1 and 4 parallel parts) vs libcurl's
#     CURLOPT_AWS_SIGV4, same run.
#  2. s3_put_peak_rss under /usr/bin/time -v: peak RSS uploading 16 MiB and 256 MiB files.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(realpath "${1:-$root/build}")
export CEPH_S3_DIR=$build/bench-s3-server RGW_PORT=${RGW_PORT:-7680} MON_PORT=${MON_PORT:-3600}
export S3_BUCKET=pindeck-bench
export PINDECK_TEST_S3_ENV=$CEPH_S3_DIR/s3.env PINDECK_BENCH_DIR=$build/bench-s3-files
cmake --build "$build" --target bench_s3_put s3_put_peak_rss > /dev/null
mkdir -p "$PINDECK_BENCH_DIR"
"$root/tests/s3-server/start-rgw.sh" > /dev/null
trap '"$root/tests/s3-server/stop-rgw.sh" --purge > /dev/null' EXIT

echo "== 64 MiB PUT throughput (same run; peer: libcurl CURLOPT_AWS_SIGV4 single PUT)"
"$build/benchmarks/s3/bench_s3_put" --benchmark_counters_tabular=true

echo "== peak memory by object size (multipart, 8 MiB parts)"
for mib in 16 256; do
  file=$PINDECK_BENCH_DIR/object-$mib.bin
  [ -f "$file" ] || head -c $((mib << 20)) /dev/urandom > "$file"
  for parallel in 1 4; do
    /usr/bin/time -v "$build/benchmarks/s3/s3_put_peak_rss" "$file" "$parallel" 2> "$build/time.out"
    grep "Maximum resident set size" "$build/time.out"
  done
done
