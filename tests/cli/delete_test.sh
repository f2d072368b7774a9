#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `pindeck delete` on the embedded local store, as a user runs it: after upload --wait, deleting by
# id and by filter (each with a dry run first) leaves no object of the deleted records (the store's
# prefix is listed), no staged file, no job and no search hit, and keeps every object of the other
# records; an unknown id and bad usage are refused and change nothing.
# usage: delete_test.sh PINDECK_BINARY TEST_DATA_DIR
set -euo pipefail
pindeck=$1 data=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
in_scratch_dir
use_local_store

"$pindeck" upload "$data"/images/*.jpg --wait --json --category Keep --tags harbour > keep.json
"$pindeck" upload "$data"/images/*.jpg --wait --json --category Drop --tags harbour > drop.json
objects=pindeck-data/objects/pindeck

# The objects on disk must be exactly the keys the catalog's records name.
check_store() {
  python3 - "$objects" <<'PY'
import json, os, sqlite3, sys
root = sys.argv[1]
on_disk = set()
for folder, _, files in os.walk(root):
    for f in files:
        on_disk.add(os.path.relpath(os.path.join(folder, f), root))
db = sqlite3.connect("pindeck-data/catalog.sqlite")
named = set()
for (doc,) in db.execute("SELECT doc FROM records"):
    r = json.loads(doc)
    named.update([r["storagePath"], r["previewStoragePath"]] +
                 list(r["derivativeStoragePaths"].values()))
assert on_disk == named, (sorted(on_disk - named), sorted(named - on_disk))
assert db.execute("SELECT count(*) FROM persist_jobs").fetchone()[0] == 0
assert db.execute("SELECT count(*) FROM delete_jobs").fetchone()[0] == 0
print(len(on_disk))
PY
}
[ "$(check_store)" = 30 ]
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' keep.json)
title=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["title"])' keep.json)
keys=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; print(" ".join([r["storagePath"], r["previewStoragePath"]] + list(r["derivativeStoragePaths"].values())))' keep.json)
for key in $keys; do [ -f "$objects/$key" ]; done

# By id: a dry run changes nothing, then the record and its five objects go.
"$pindeck" delete "$id" --dry-run --json > dry.json
python3 - dry.json "$id" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["dryRun"] is True and len(report["deleted"]) == 1, report
assert report["deleted"][0]["id"] == sys.argv[2] and len(report["deleted"][0]["objectKeys"]) == 5
PY
[ "$(check_store)" = 30 ]
"$pindeck" delete "$id" | grep -q "^deleted 1 record(s) and 5 object(s)$"
for key in $keys; do [ ! -e "$objects/$key" ]; done
[ "$(check_store)" = 25 ]
if "$pindeck" show "$id" 2> gone.txt; then echo "the deleted record is still there" >&2; exit 1; fi
grep -q "no record" gone.txt
[ "$("$pindeck" search "$title" --json | python3 -c 'import json,sys; print(len([r for r in json.load(sys.stdin)["records"] if r["id"] == sys.argv[1]]))' "$id")" = 0 ]

# By filter: the three records of category Drop.
"$pindeck" delete --where --category Drop --dry-run | grep -q "^would delete 3 record(s) and 15 object(s)$"
[ "$(check_store)" = 25 ]
"$pindeck" delete --where --category Drop --json > where.json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert not r["dryRun"] and len(r["deleted"]) == 3 and r["cleanupPending"] == 0, r' where.json
[ "$(check_store)" = 10 ]
[ "$("$pindeck" list --category Drop --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))')" = 0 ]
[ "$("$pindeck" list --category Keep --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))')" = 2 ]
[ "$(ls pindeck-data/staging | wc -l)" = 0 ]

# Refusals change nothing: an unknown id (1), no ids, --where without a filter, filters without
# --where, ids with --where (2).
if "$pindeck" delete no-such-id 2> missing.txt; then exit 1; fi
grep -q "no record" missing.txt
for args in "" "--where" "--category Keep" "$id --where --category Keep"; do
  set +e
  # shellcheck disable=SC2086
  "$pindeck" delete $args > /dev/null 2>&1
  status=$?
  set -e
  [ "$status" = 2 ] || { echo "delete $args exited $status, not 2" >&2; exit 1; }
done
[ "$(check_store)" = 10 ]
echo "cli delete: ok"
