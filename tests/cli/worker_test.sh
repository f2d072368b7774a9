#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# pindeck worker on the SQLite catalog and the embedded local store: it persists uploads another
# process left pending, prints a health line on SIGUSR1 and every --interval seconds (and only
# then), and exits 0 on SIGTERM and on SIGINT, leaving no job claimed (the next worker takes the
# rest at once, not after the lease). `pindeck stats --queue` counts the jobs it has left and the
# ones it finished. A bad --interval or --lease is a usage error.
# usage: worker_test.sh PINDECK_BINARY TEST_DATA_DIR
set -euo pipefail
pindeck=$1 data=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
in_scratch_dir
worker=
trap 'if [ -n "$worker" ]; then kill "$worker" 2> /dev/null || true; fi; rm -rf "$work"' EXIT

# upload_pending FILE...: uploads whose own workers meet an S3 endpoint where nothing listens (the
# discard port): the jobs are left pending, waiting for a retry, for whichever worker comes next.
upload_pending() {
  PINDECK_S3_ENDPOINT=http://127.0.0.1:9 PINDECK_S3_ACCESS_KEY=test-access \
    PINDECK_S3_SECRET_KEY=test-secret PINDECK_S3_CREATE_BUCKET='' \
    "$pindeck" upload "$@" --json > uploaded.json
  python3 - uploaded.json "$#" <<'PY'
import json, sys
records = json.load(open(sys.argv[1]))
assert [r["storagePersistStatus"] for r in records] == ["pending"] * int(sys.argv[2]), records
PY
}

# start_worker ARGS...: `pindeck worker ARGS...` in the background ($worker), once it has said it
# runs: signals before that take their default action.
start_worker() {
  "$pindeck" worker "$@" > health.txt 2> worker.err &
  worker=$!
  for _ in $(seq 100); do
    grep -qs "running" worker.err && return
    kill -0 "$worker" 2> /dev/null || fail "the worker ended: $(cat worker.err)"
    sleep 0.1
  done
  fail "the worker did not start within 10 s: $(cat worker.err)"
}

# wait_succeeded N SECONDS: until `pindeck list` shows at least N records succeeded (two jobs may
# end between two looks).
wait_succeeded() {
  for _ in $(seq $(($2 * 10))); do
    "$pindeck" list --json | python3 -c '
import json, sys
records = json.load(sys.stdin)["records"]
succeeded = [r for r in records if r["storagePersistStatus"] == "succeeded"]
sys.exit(0 if len(succeeded) >= int(sys.argv[1]) else 1)' "$1" && return
    sleep 0.1
  done
  fail "the worker did not persist $1 uploads in $2 s: $(cat worker.err)"
}

upload_pending "$data/images/truchet-l.webp" "$data/images/flow-5120x2880.jpg"
use_local_store

# The queue as the catalog holds it: both jobs queued, held by this data directory's store.
"$pindeck" stats --queue --json > queue.json
python3 - queue.json "$(cat pindeck-data/staging.site)" <<'PY'
import json, sys
counts = json.load(open(sys.argv[1]))
assert counts["queued"] == 2 and counts["failed"] == 0 and counts["claimed"] == 0, counts
assert counts["queuedBySite"] == {sys.argv[2]: 2}, counts
PY
"$pindeck" stats --queue | grep -qx "jobs queued: 2 (0 claimed by a worker, [0-2] waiting for a retry), failed: 0" ||
  fail "unexpected queue line: $("$pindeck" stats --queue)"
expect_exit 2 "--category" -- stats --queue --category Film

# stop_worker PID SIGNAL: sends SIGNAL and fails unless the worker exits 0 within 10 seconds.
stop_worker() {
  local pid=$1 signal=$2
  kill "-$signal" "$pid"
  for _ in $(seq 100); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2> /dev/null && fail "the worker did not stop within 10 s of SIG$signal"
  set +e
  wait "$pid"
  local rc=$?
  set -e
  [ "$rc" = 0 ] || fail "the worker exited $rc after SIG$signal; stderr: $(cat worker.err)"
  worker=
}

start_worker --interval 1 --json
wait_succeeded 2 60

# The interval's lines keep coming; the one SIGUSR1 adds counts both jobs done.
lines=$(wc -l < health.txt)
kill -USR1 "$worker"
sleep 0.5
stop_worker "$worker" TERM
python3 - health.txt "$lines" <<'PY'
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
assert lines, "no health line"
for line in lines:
    assert set(line) == {"claimed", "succeeded", "retried", "failed", "released", "inFlight"}, line
    assert line["claimed"] == sum(v for k, v in line.items() if k != "claimed"), line
after_signal = lines[int(sys.argv[2]):]
assert after_signal, "no health line after SIGUSR1"
assert after_signal[0] == {"claimed": 2, "succeeded": 2, "retried": 0, "failed": 0, "released": 0,
                           "inFlight": 0}, after_signal
PY
grep -q "SIGTERM" worker.err || fail "the worker did not say it stops: $(cat worker.err)"

# Without --interval, a line only on SIGUSR1, in plain text. SIGINT stops it too, once one of
# two new jobs is done and the other most likely in flight; what it did not finish the next
# worker takes at once.
upload_pending "$data/images/volna-5120x2880.jpg" "$data/images/safelanding-5120x2880.jpg"
start_worker
sleep 1
[ ! -s health.txt ] || fail "a health line without SIGUSR1: $(cat health.txt)"
wait_succeeded 3 30
kill -USR1 "$worker"
for _ in $(seq 50); do
  [ -s health.txt ] && break
  sleep 0.1
done
stop_worker "$worker" INT
# Exact counts: every job claimed has succeeded or is still in flight.
python3 - health.txt <<'PY' || fail "unexpected health line: $(cat health.txt)"
import re, sys
line = open(sys.argv[1]).read()
m = re.fullmatch(r"pindeck worker: claimed (\d+), succeeded (\d+), retried 0, failed 0, "
                 r"released 0, in flight (\d+)\n", line)
claimed, succeeded, in_flight = map(int, m.groups())
assert succeeded >= 1 and claimed == succeeded + in_flight and claimed <= 2, line
PY
start_worker
wait_succeeded 4 20
stop_worker "$worker" TERM
"$pindeck" stats --queue --json | python3 -c '
import json, sys
counts = json.load(sys.stdin)
assert counts == {"queued": 0, "claimed": 0, "retryLater": 0, "failed": 0, "queuedBySite": {}}, counts'

expect_exit 2 "--interval" -- worker --interval 0
expect_exit 2 "--interval" -- worker --interval soon
expect_exit 2 "--lease" -- worker --lease 0
expect_exit 2 "--lease" -- worker --lease -5
expect_exit 2 "--lease" -- worker --lease later
echo "cli worker: ok"
