#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 8's multi-process proof, with real processes: `pindeck worker`s on separate data
# directories sharing one PostgreSQL catalog (a database of its own on the test server) and the
# test S3 server.
#   1. Three workers persist 200 uploads from two ingest processes, all staged in one shared
#      staging directory: every record succeeds, every object is in the bucket, and the workers'
#      health lines count 200 jobs succeeded between them, none failed.
#   2. A worker killed with SIGKILL while it holds a job: once its lease (--lease 2) ends, the
#      others finish its jobs, and their counts with the killed one's last cover every job.
#   3. Local staging: a job waits for a worker of the data directory that staged it; a worker of
#      another data directory leaves it pending, even once the lease of that directory's worker,
#      killed with SIGKILL while it held jobs, has run out; the worker restarted finishes them.
# The ingest processes' own workers meet an S3 endpoint where nothing listens (the discard port),
# so they persist nothing: what they leave, only the worker processes persist.
# usage: scale_out_test.sh PINDECK_BINARY TEST_DATA_DIR
# Needs PINDECK_TEST_PG_ENV and PINDECK_TEST_S3_ENV (the ctest fixtures pg_server and s3_server).
set -euo pipefail
pindeck=$1 data=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=../support/pindeck-s3-env.sh
. "$here/../support/pindeck-s3-env.sh"
# shellcheck disable=SC1090 # written by the pg_server fixture: PINDECK_TEST_PG_URL
. "$PINDECK_TEST_PG_ENV"
in_scratch_dir

declare -A worker_pids=()
suffix=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
database=scale_out_$suffix

# On failure, what the workers said; always, no process and no database left behind.
clean_up() {
  local status=$?
  for name in "${!worker_pids[@]}"; do
    kill -KILL "${worker_pids[$name]}" 2> /dev/null || true
  done
  wait 2> /dev/null || true
  if [ "$status" != 0 ]; then
    for err in "$work"/*.err; do
      [ -s "$err" ] || continue
      echo "--- stderr of $(basename "$err" .err):" >&2
      tail -n 20 "$err" >&2
    done
  fi
  psql -q "$PINDECK_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" \
    > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap clean_up EXIT

psql -q -v ON_ERROR_STOP=1 "$PINDECK_TEST_PG_URL" -c "CREATE DATABASE $database" > /dev/null ||
  fail "could not create the test database $database"
catalog=$(python3 -c '
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))' "$PINDECK_TEST_PG_URL" "$database")
# A bucket of its own, so that verify's search for orphans sees only this test's objects.
export PINDECK_S3_BUCKET=scale-out-$suffix PINDECK_S3_CREATE_BUCKET=1

# sql QUERY: one value per line, from the test's catalog database.
sql() {
  psql -X -q -At -v ON_ERROR_STOP=1 "$catalog" -c "$1"
}

# Small images, so that 200 persist quickly on two cores; copies of them are distinct uploads.
vips thumbnail "$data/images/flow-5120x2880.jpg" small.jpg 160
vips thumbnail "$data/images/canopee-3840x2160.png" small.png 160
vips thumbnail "$data/images/truchet-l.webp" small.webp 160
# Larger ones for the jobs one of which a worker is killed in: they last long enough to be caught.
vips thumbnail "$data/images/volna-5120x2880.jpg" "larger.jpg[Q=95]" 2048
vips thumbnail "$data/images/safelanding-5120x2880.jpg" "larger2.jpg[Q=95]" 2048

# copies DIR COUNT [IMAGE...]: COUNT files in DIR, copies of IMAGEs in turn (the small ones by
# default); prints their paths.
copies() {
  local dir=$1 count=$2
  shift 2
  local images=("$@")
  [ ${#images[@]} -gt 0 ] || images=(small.jpg small.png small.webp)
  mkdir -p "$dir"
  for i in $(seq "$count"); do
    local image=${images[$((i % ${#images[@]}))]}
    cp "$image" "$dir/$i.${image##*.}"
    echo "$dir/$i.${image##*.}"
  done
}

# upload_pending NAME FILE...: `pindeck upload` on data directory NAME, its own workers meeting
# an S3 endpoint where nothing listens; the records it printed are left in NAME.json.
upload_pending() {
  local name=$1
  shift
  PINDECK_S3_ENDPOINT=http://127.0.0.1:9 PINDECK_S3_CREATE_BUCKET='' \
    "$pindeck" --data-dir "$name" --catalog "$catalog" upload "$@" --json \
    > "$name.json" 2> "$name.err" || fail "pindeck upload on $name failed: $(cat "$name.err")"
  python3 - "$name.json" "$#" <<'PY' || fail "upload on $name did not record $# pending images"
import json, sys
records = json.load(open(sys.argv[1]))
assert len(records) == int(sys.argv[2]), len(records)
assert all(r["storagePersistStatus"] == "pending" for r in records), records
PY
}

# start_worker NAME: a worker process on data directory NAME, a JSON health line every second
# in NAME.health; returns once it says it runs.
start_worker() {
  local name=$1
  "$pindeck" --data-dir "$name" --catalog "$catalog" worker --interval 1 --lease 2 --json \
    > "$name.health" 2> "$name.err" &
  worker_pids[$name]=$!
  for _ in $(seq 200); do
    grep -qs "running" "$name.err" && return
    kill -0 "${worker_pids[$name]}" 2> /dev/null || fail "worker $name ended at its start"
    sleep 0.05
  done
  fail "worker $name did not start within 10 s"
}

# health NAME: the worker's health line, printed on SIGUSR1 (or by its interval meanwhile).
health() {
  local name=$1 lines
  lines=$(wc -l < "$name.health")
  kill -USR1 "${worker_pids[$name]}"
  for _ in $(seq 200); do
    if [ "$(wc -l < "$name.health")" -gt "$lines" ]; then
      tail -n 1 "$name.health"
      return
    fi
    sleep 0.01
  done
  fail "worker $name printed no health line within 2 s of SIGUSR1"
}

# field LINE NAME: a count of a JSON health line.
field() {
  python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}

# persist_statuses: "succeeded=N pending=N failed=N" over every record of the catalog, paging
# through `pindeck list`.
persist_statuses() {
  python3 - "$pindeck" "$catalog" <<'PY'
import collections, json, subprocess, sys
pindeck, catalog = sys.argv[1:]
counts = collections.Counter({"succeeded": 0, "pending": 0, "failed": 0})
cursor = []
while True:
    page = json.loads(subprocess.run(
        [pindeck, "--data-dir", "lister", "--catalog", catalog, "list", "--limit", "1000",
         "--json", *cursor], check=True, capture_output=True, text=True).stdout)
    counts.update(r["storagePersistStatus"] for r in page["records"])
    if not page.get("nextCursor"):
        break
    cursor = ["--cursor", page["nextCursor"]]
print(" ".join(f"{status}={count}" for status, count in sorted(counts.items())))
PY
}

# wait_all_succeeded N SECONDS: until the catalog's N records have all succeeded.
wait_all_succeeded() {
  local expected="failed=0 pending=0 succeeded=$1" seen
  for _ in $(seq $(($2 * 4))); do
    seen=$(persist_statuses)
    [ "$seen" = "$expected" ] && return
    case "$seen" in failed=0\ *) ;; *) fail "a record failed: $seen, expected $expected" ;; esac
    sleep 0.25
  done
  fail "not persisted within $2 s: $seen, expected $expected"
}

# stop_worker NAME: SIGTERM; fails unless it exits 0.
stop_worker() {
  local name=$1 status=0
  kill -TERM "${worker_pids[$name]}"
  wait "${worker_pids[$name]}" || status=$?
  unset "worker_pids[$name]"
  [ "$status" = 0 ] || fail "worker $name exited $status after SIGTERM"
}

# ---- 1. three workers, two ingest processes, 200 uploads, shared staging ----
export PINDECK_STAGING_DIR=$work/shared-staging
for name in worker1 worker2 worker3; do start_worker "$name"; done
mapfile -t batch1 < <(copies files1 100)
mapfile -t batch2 < <(copies files2 100)
upload_pending ingest1 "${batch1[@]}" &
ingest1=$!
upload_pending ingest2 "${batch2[@]}" &
ingest2=$!
wait "$ingest1" || fail "ingest process 1 failed"
wait "$ingest2" || fail "ingest process 2 failed"
wait_all_succeeded 200 40

"$pindeck" --data-dir verifier --catalog "$catalog" verify --json > verify.json 2> verifier.err ||
  fail "verify found problems: $(cat verify.json)"
python3 - verify.json <<'PY' || fail "not every object is in the bucket: $(cat verify.json)"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["complete"] and report["recordsChecked"] == 200, report
assert report["objectsChecked"] >= 200 * 2, report
assert report["findings"] == [] and report["orphansChecked"] and report["orphans"] == [], report
PY

done_round1=0
for name in worker1 worker2 worker3; do
  line=$(health "$name")
  [ "$(field "$line" failed)" = 0 ] || fail "worker $name failed jobs: $line"
  [ "$(field "$line" succeeded)" -gt 0 ] || fail "worker $name did no job: $line"
  done_round1=$((done_round1 + $(field "$line" succeeded)))
done
[ "$done_round1" = 200 ] || fail "the workers did $done_round1 jobs between them, expected 200"

# ---- 2. SIGKILL mid-job: its jobs finish on the others after the lease ----
mapfile -t batch3 < <(copies files3 30 larger.jpg larger2.jpg)
upload_pending ingest3 "${batch3[@]}" &
ingest3=$!
victim=${worker_pids[worker1]}
# freeze_holding PID HEALTH_FILE: stops PID with SIGSTOP at a moment the catalog shows it holding
# a job (frozen, it can neither finish nor renew one, so that is certain), a health line taken
# just before; prints "RECORD_ID LEASE_EXPIRES_AT_MS" for each job, then that line. Line and freeze are a few
# milliseconds apart, too little for a job not yet in flight at the line to also end.
freeze_holding() {
  python3 - "$1" "$2" "$catalog" <<'PY'
import os, signal, subprocess, sys, time
pid, health, catalog = int(sys.argv[1]), sys.argv[2], sys.argv[3]
query = ("SELECT record_id || ' ' || lease_expires_at FROM persist_jobs "
         f"WHERE lease_owner LIKE '%:{pid}:%'")
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    lines = open(health).read().splitlines()
    os.kill(pid, signal.SIGUSR1)
    while len(open(health).read().splitlines()) == len(lines):
        time.sleep(0.001)
    os.kill(pid, signal.SIGSTOP)
    line = open(health).read().splitlines()[-1]
    held = subprocess.run(["psql", "-X", "-q", "-At", catalog, "-c", query], check=True,
                          capture_output=True, text=True).stdout.splitlines()
    if held:
        print("\n".join(held + [line]))
        sys.exit(0)
    os.kill(pid, signal.SIGCONT)
    time.sleep(0.02)
sys.exit(1)
PY
}
frozen=$(freeze_holding "$victim" worker1.health) ||
  fail "worker1 held no job while 30 uploads were persisted"
killed_line=$(tail -n 1 <<< "$frozen")
held=$(head -n -1 <<< "$frozen")
kill -KILL "$victim"
wait "$victim" 2> /dev/null || true
unset "worker_pids[worker1]"
# Its jobs wait for their lease (--lease 2) to end, then the others take them. A look that
# starts 300 ms before the end may end after it, when they can: those are not counted.
while read -r id expires; do
  while [ "$(date +%s%3N)" -lt $((expires - 300)) ]; do
    sql "SELECT lease_owner FROM persist_jobs WHERE record_id = '$id'" | grep -q ":$victim:" ||
      fail "the killed worker's job $id was taken before its lease ended"
    sleep 0.1
  done
done <<< "$held"
wait "$ingest3" || fail "ingest process 3 failed"
wait_all_succeeded 230 30
[ -z "$(sql "SELECT record_id FROM persist_jobs")" ] || fail "jobs left in the queue"
survivors_done=0
for name in worker2 worker3; do
  line=$(health "$name")
  [ "$(field "$line" failed)" = 0 ] || fail "worker $name failed jobs: $line"
  survivors_done=$((survivors_done + $(field "$line" succeeded)))
done
# The killed worker may have finished what was in flight at its last line before the freeze; any
# more would have been counted twice.
counted=$((survivors_done + $(field "$killed_line" succeeded)))
in_flight=$(field "$killed_line" inFlight)
if [ "$counted" -gt 230 ] || [ "$counted" -lt $((230 - in_flight)) ]; then
  fail "survivors' successes ($survivors_done) and the killed worker's last line ($killed_line) do not" \
    "cover the 230 jobs exactly"
fi

# ---- 3. local staging: only a worker of the data directory that staged a job takes it ----
unset PINDECK_STAGING_DIR
mapfile -t batch4 < <(copies files4 6 larger.jpg larger2.jpg)
upload_pending local1 "${batch4[@]}"
start_worker local2
# Until every job is due (a failed attempt of local1's own workers waits for its retry), then
# long enough for the running workers to look for jobs a few times.
for _ in $(seq 100); do
  due=$(sql "SELECT count(*) FROM persist_jobs
             WHERE next_attempt_at <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
  [ "$due" = 6 ] && break
  sleep 0.1
done
[ "$due" = 6 ] || fail "local1's jobs were not due within 10 s"
sleep 2
[ "$(persist_statuses)" = "failed=0 pending=6 succeeded=230" ] ||
  fail "jobs staged on local1 were taken by another data directory's worker: $(persist_statuses)"
[ "$(field "$(health local2)" claimed)" = 0 ] || fail "local2 claimed a job staged on local1"

# local1's worker killed while it holds jobs: past its lease they are free again, but only for
# local1's workers, so they wait for its restart.
start_worker local1
frozen=$(freeze_holding "${worker_pids[local1]}" local1.health) ||
  fail "local1's worker held no job while 6 uploads were persisted"
killed_line=$(tail -n 1 <<< "$frozen")
kill -KILL "${worker_pids[local1]}"
wait "${worker_pids[local1]}" 2> /dev/null || true
unset "worker_pids[local1]"
sleep 3
[ "$(field "$(health local2)" claimed)" = 0 ] ||
  fail "local2 claimed a job of local1's killed worker once its lease ended"
left=$((6 - $(field "$killed_line" succeeded)))
start_worker local1
wait_all_succeeded 236 30
line=$(health local1)
# As in 2: what was in flight at the killed worker's last line may have ended before the kill.
if [ "$(field "$line" succeeded)" -gt "$left" ] ||
  [ "$(field "$line" succeeded)" -lt $((left - $(field "$killed_line" inFlight))) ]; then
  fail "the restarted local1 did $(field "$line" succeeded) jobs; the killed one's last line: $killed_line"
fi

for name in worker2 worker3 local1 local2; do stop_worker "$name"; done
echo "scale-out: ok"
