#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scaling.sh [BUILD_DIR]: images persisted per second, and per core, with 1, 2, 4 and 8 workers
# (as many as this machine has cores), next to an S3 server on loopback and one made to look far
# away.
#
# Each row is one run of persist_benchmark's BM_PersistToS3Workers: N CPU threads and N images
# decoded at once, the process pinned to N cores with taskset, 40 images (eight rounds of the five
# samples) staged, derived, uploaded to a throw-away radosgw on 127.0.0.1 and committed. "far"
# sends the same requests through slow_s3_proxy.py, which hands every answer back DELAY_MS later
# (default 1000): an image then waits on its uploads for over a second after its derivatives are
# made, and the cores stay busy only if the next images decode meanwhile. Columns:
#   uploading      images allowed to wait on their uploads besides the N decoding
#                  (PersistenceConfig::max_uploading): the library's default, and far also N,
#                  the rule before that setting
#   images/s       over the timed part (ingest to the last commit)
#   per core       images/s divided by the N cores the process was given
#   busy cores     the process's CPU time (user + sys) over its wall time, start-up included: how
#                  many of its N cores it kept busy
#   rgw CPU ms/img the S3 server's CPU per image (it shares the machine's cores, unpinned)
#   peak MiB       the process's peak resident memory (/usr/bin/time)
#
#   benchmarks/pipeline/scaling.sh [BUILD_DIR]
#
# Environment: DELAY_MS; RGW_PORT and MON_PORT, the ports of the radosgw it starts (default 7700
# and 3520); PROXY_PORT (default RGW_PORT + 1). Takes about two minutes on two cores.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(realpath -m "${1:-$root/build}")
delay_ms=${DELAY_MS:-1000}
work=$build/scaling
mkdir -p "$work"

cmake --build "$build" --target persist_benchmark >&2
bench=$build/benchmarks/pipeline/persist_benchmark

export CEPH_S3_DIR=$build/scaling-s3 RGW_PORT=${RGW_PORT:-7700} MON_PORT=${MON_PORT:-3520}
export S3_BUCKET=pindeck-scaling
proxy_port=${PROXY_PORT:-$((RGW_PORT + 1))}
proxy_pid=
cleanup() {
  [ -z "$proxy_pid" ] || kill "$proxy_pid" 2> /dev/null || true
  "$root/tests/s3-server/stop-rgw.sh" --purge > /dev/null 2>&1 || true
}
trap cleanup EXIT
"$root/tests/s3-server/start-rgw.sh" > /dev/null
# shellcheck disable=SC1091
source "$CEPH_S3_DIR/s3.env"
near=$S3_ENDPOINT
far=http://127.0.0.1:$proxy_port

coproc proxy { exec python3 "$root/benchmarks/pipeline/slow_s3_proxy.py" "$proxy_port" \
                 "${near##*:}" "$delay_ms"; }
proxy_pid=$proxy_PID
read -r -t 10 ready <&"${proxy[0]}" || true
[ "${ready:-}" = ready ] || { echo "scaling: the slow proxy did not start" >&2; exit 1; }

# The radosgw daemon's CPU time so far, in clock ticks.
rgw_pid=$(awk '$1 == "rgw" { print $2 }' "$CEPH_S3_DIR/pids")
rgw_ticks() { awk '{ print $14 + $15 }' "/proc/$rgw_pid/stat"; }
ticks_per_second=$(getconf CLK_TCK)

cores=$(nproc)
echo "libpindeck (libvips $(pkg-config --modversion vips)), $cores cores, radosgw on $near;" \
  "far: every answer $delay_ms ms late through $far"
printf '%-5s %8s %10s %9s %9s %11s %15s %9s\n' S3 workers uploading images/s "per core" \
  "busy cores" "rgw CPU ms/img" "peak MiB"
for where in near far; do
  export S3_ENDPOINT=${!where}
  for workers in 1 2 4 8; do
    [ "$workers" -le "$cores" ] || break
    # The benchmark's first variant has the library's default room for images waiting on their
    # uploads; far, the second too: room for only as many as decode, the rule before that setting.
    mapfile -t variants < <("$bench" --benchmark_list_tests \
                              --benchmark_filter="BM_PersistToS3Workers/workers:$workers/")
    [ "$where" = far ] || variants=("${variants[0]}")
    for variant in "${variants[@]}"; do
      before=$(rgw_ticks)
      if ! /usr/bin/time -f '%M %U %S %e' -o "$work/time" taskset -c "0-$((workers - 1))" \
             "$bench" --benchmark_filter="^$variant\$" --benchmark_format=json > "$work/out.json" \
             2> "$work/err"; then
        cat "$work/err" >&2
        exit 1
      fi
      after=$(rgw_ticks)
      # A benchmark that skipped (S3 refused, say) still exits 0, without the counter.
      if ! measured=$(python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))["benchmarks"][0]
print(b["images_per_second"], b["iterations"] * 40, b["name"].split("uploading:")[1].split("/")[0])' \
                        "$work/out.json"); then
        echo "scaling: persist_benchmark measured nothing:" >&2
        cat "$work/out.json" "$work/err" >&2
        exit 1
      fi
      read -r rate images room <<< "$measured"
      read -r peak_kib user sys elapsed < "$work/time"
      awk -v where="$where" -v n="$workers" -v room="$room" -v rate="$rate" -v images="$images" \
          -v peak="$peak_kib" -v user="$user" -v sys="$sys" -v wall="$elapsed" \
          -v rgw="$(((after - before) * 1000 / ticks_per_second))" 'BEGIN {
        printf "%-5s %8d %10d %9.2f %9.2f %11.2f %15.0f %9.0f\n", where, n, room, rate, rate / n,
               (user + sys) / wall, rgw / images, peak / 1024 }'
    done
  done
done
