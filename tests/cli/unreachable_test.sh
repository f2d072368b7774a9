#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# pindeck upload with an S3 endpoint where nothing listens: the upload is accepted, staged and
# recorded pending (issue 14, item 1), and the command says that persistence is pending. Then
# backfill's flags: --include-permanent and --create-bucket are accepted.
# usage: unreachable_test.sh PINDECK_BINARY TEST_DATA_DIR
set -euo pipefail
pindeck=$1 data=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
in_scratch_dir

export PINDECK_S3_ENDPOINT=http://127.0.0.1:9  # the discard port: connections are refused
export PINDECK_S3_ACCESS_KEY=test-access PINDECK_S3_SECRET_KEY=test-secret
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 PINDECK_S3_CREATE_BUCKET

if ! "$pindeck" upload "$data/images/truchet-l.webp" --json > uploaded.json 2> stderr.txt; then
  echo "upload refused while the object store is unreachable:" >&2
  cat stderr.txt >&2
  exit 1
fi
python3 - uploaded.json <<'PY'
import json, sys
records = json.load(open(sys.argv[1]))
assert len(records) == 1, records
r = records[0]
assert r["storagePersistStatus"] == "pending", r
assert r["storageProvider"] == "convex", r
assert r.get("storageId"), r
PY
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' uploaded.json)
[ "$(ls pindeck-data/staging | wc -l)" = 1 ] || { echo "nothing staged" >&2; exit 1; }

# The text form says so.
"$pindeck" upload "$data/images/truchet-l.webp" --title again > text.txt 2> note.txt
grep -q "pending" text.txt || { echo "no pending status printed" >&2; exit 1; }
grep -q "persistence pending" note.txt || { echo "the command did not say it is pending" >&2; exit 1; }

# Still there, still pending (the first record was not lost).
"$pindeck" show "$id" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["storagePersistStatus"] in ("pending", "failed"), r
assert r.get("storageId"), r'

"$pindeck" backfill --include-permanent --create-bucket --json | grep -q '"rescheduled":'
echo "cli unreachable: ok"
