#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scale-out.sh BUILD_DIR [IMAGES] - end-to-end images per second with 1, 2 and 3 `pindeck worker`
# processes on separate data directories sharing one PostgreSQL catalog, a staging directory and
# radosgw (issue 8), all on this machine. For each count, IMAGES uploads (default 60: copies of the
# sample images made 2048 pixels wide) are queued by `pindeck upload`, whose own workers meet an
# endpoint where nothing listens (so only the worker processes persist); once every job is due,
# the workers start, and the time runs until the queue is empty. Each count has a database, a
# bucket and a staging directory of its own.
#
# Prints, per count: the wall time, images per second and its ratio to one worker, the workers'
# CPU seconds (user + system, all of them) and the largest peak RSS of one worker.
# Settings: those of benchmarks/catalog/bench-postgres.sh; RGW_PORT (default 7700) and MON_PORT
# (default 3520) for radosgw.
set -euo pipefail

build=$(realpath "${1:?usage: scale-out.sh BUILD_DIR [IMAGES]}")
images=${2:-60}
pindeck=$build/examples/pindeck
[ -x "$pindeck" ] || { echo "no $pindeck: build the pindeck_cli target" >&2; exit 1; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)

# shellcheck source=../catalog/bench-postgres.sh
source "$root/benchmarks/catalog/bench-postgres.sh"
export CEPH_S3_DIR=$work/s3 RGW_PORT=${RGW_PORT:-7700} MON_PORT=${MON_PORT:-3520} S3_BUCKET=
stop_all() {
  jobs -p | xargs -r kill -KILL 2> /dev/null || true
  stop_bench_postgres || true
  "$root/tests/s3-server/stop-rgw.sh" --purge > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_all EXIT
"$root/tests/s3-server/start-rgw.sh" > /dev/null
start_bench_postgres
# shellcheck disable=SC1091
source "$CEPH_S3_DIR/s3.env"
export PINDECK_S3_ENDPOINT=$S3_ENDPOINT PINDECK_S3_REGION=$S3_REGION \
  PINDECK_S3_ACCESS_KEY=$S3_ACCESS_KEY PINDECK_S3_SECRET_KEY=$S3_SECRET_KEY \
  PINDECK_S3_CREATE_BUCKET=1

mkdir "$work/samples"
for image in "$root"/tests/data/images/*.{jpg,png,webp}; do
  name=$(basename "$image")
  vips thumbnail "$image" "$work/samples/$name" 2048
done
samples=("$work"/samples/*)

# catalog_for NAME: the server's URL naming the database NAME, which it creates.
catalog_for() {
  psql -X -q -v ON_ERROR_STOP=1 "$PINDECK_BENCH_PG_URL" -c "CREATE DATABASE $1" > /dev/null
  python3 -c '
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))' "$PINDECK_BENCH_PG_URL" "$1"
}

printf '%-8s %8s %9s %9s %10s %14s\n' workers wall_s images/s vs_one worker_cpu_s peak_rss_mib
one_worker_rate=
for workers in 1 2 3; do
  catalog=$(catalog_for "scale_out_$workers")
  export PINDECK_S3_BUCKET=scale-out-$workers PINDECK_STAGING_DIR=$work/staging-$workers
  files=()
  mkdir "$work/in-$workers"
  for i in $(seq "$images"); do
    sample=${samples[$((i % ${#samples[@]}))]}
    cp "$sample" "$work/in-$workers/$i-$(basename "$sample")"
    files+=("$work/in-$workers/$i-$(basename "$sample")")
  done
  PINDECK_S3_ENDPOINT=http://127.0.0.1:9 PINDECK_S3_CREATE_BUCKET='' \
    "$pindeck" --data-dir "$work/ingest-$workers" --catalog "$catalog" upload "${files[@]}" \
    > /dev/null 2> "$work/ingest-$workers.err" || { cat "$work/ingest-$workers.err" >&2; exit 1; }
  # Every job due (the ingest's own attempt waits for its retry), so that no worker waits.
  until [ "$(psql -X -At "$catalog" -c "SELECT count(*) FROM persist_jobs WHERE next_attempt_at >
          (extract(epoch FROM clock_timestamp()) * 1000)::bigint")" = 0 ]; do
    sleep 0.1
  done

  began=$(date +%s%N)
  pids=()
  for w in $(seq "$workers"); do
    /usr/bin/time -f '%M %U %S' -o "$work/worker-$workers-$w.time" \
      "$pindeck" --data-dir "$work/worker-$workers-$w" --catalog "$catalog" worker \
      > /dev/null 2> "$work/worker-$workers-$w.err" &
    pids+=($!)
  done
  until [ "$(psql -X -At "$catalog" -c "SELECT count(*) FROM persist_jobs")" = 0 ]; do
    sleep 0.05
  done
  ended=$(date +%s%N)
  # The workers are the children of /usr/bin/time, which would die of the signal itself.
  for pid in "${pids[@]}"; do pkill -TERM -P "$pid"; done
  wait "${pids[@]}"
  failed=$(psql -X -At "$catalog" -c \
    "SELECT count(*) FROM records WHERE doc::jsonb->>'storagePersistStatus' <> 'succeeded'")
  [ "$failed" = 0 ] || { echo "$failed records did not succeed with $workers workers" >&2; exit 1; }

  read -r rate wall < <(awk -v n="$images" -v ns=$((ended - began)) \
    'BEGIN { printf "%.2f %.2f\n", n / (ns / 1e9), ns / 1e9 }')
  one_worker_rate=${one_worker_rate:-$rate}
  cat "$work"/worker-"$workers"-*.time | awk -v w="$workers" -v wall="$wall" -v rate="$rate" \
    -v one="$one_worker_rate" '
    { cpu += $2 + $3; if ($1 > peak) peak = $1 }
    END { printf "%-8d %8.2f %9.2f %8.2fx %10.1f %14.0f\n", w, wall, rate, rate / one, cpu,
          peak / 1024 }'
done
