#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `pindeck migrate`, as a user runs it: a SQLite catalog (a root, a variation, tags, a like) goes
# to a PostgreSQL database of its own on the test server and back to a new SQLite file, every
# record the same as `list --json` shows it; a second run copies nothing; a wrong location is
# refused naming it without echoing its password and leaves no file or data directory behind.
# usage: migrate_test.sh PINDECK_BINARY TEST_DATA_DIR
# Needs PINDECK_TEST_PG_ENV (the ctest fixture pg_server).
set -euo pipefail
pindeck=$1 data=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PINDECK_TEST_PG_ENV"
in_scratch_dir
use_local_store

database=migrate_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
trap 'psql -q "$PINDECK_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" \
  > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
psql -q -v ON_ERROR_STOP=1 "$PINDECK_TEST_PG_URL" -c "CREATE DATABASE $database" > /dev/null ||
  fail "could not create the test database $database"
postgres=$(python3 -c '
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))' "$PINDECK_TEST_PG_URL" \
  "$database")
source=sqlite:$work/source.sqlite
back=sqlite:$work/back.sqlite

# upload ARGS...: the id of an upload, durable (--wait) so that no later command changes it.
upload() {
  "$pindeck" --data-dir host --catalog "$source" upload "$data/images/truchet-l.webp" --wait \
    --json "$@" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'
}
root=$(upload --title "Root frame" --tags dusk,street --project reel)
upload --title "Child" --parent "$root" > /dev/null
"$pindeck" --data-dir host --catalog "$source" like "$root" --by 3 > /dev/null

# listed LOCATION: the catalog's records as `list --json` prints them.
listed() { "$pindeck" --data-dir host --catalog "$1" list --limit 1000 --json; }

"$pindeck" migrate --from "$source" --to "$postgres" --json > there.json
python3 - there.json <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["recordsCopied"] == 2 and report["recordsSkipped"] == 0, report
assert report["deleteJobsCopied"] == 0, report
PY
[ "$(listed "$postgres")" = "$(listed "$source")" ] || fail "PostgreSQL lists other records"
listed "$postgres" | python3 -c '
import json, sys
records = json.load(sys.stdin)["records"]
assert sorted(r["likes"] for r in records) == [0, 3], records
assert any(r.get("parentImageId") for r in records), records' || fail "the records lost a field"

"$pindeck" migrate --from "$source" --to "$postgres" > again.txt
grep -qx "copied 0 records (2 skipped), 0 jobs, 0 deletions" again.txt ||
  fail "a second run said: $(cat again.txt)"

"$pindeck" migrate --from "$postgres" --to "$back" > back.txt
grep -q "^copied 2 records (0 skipped), " back.txt || fail "the way back said: $(cat back.txt)"
[ "$(listed "$back")" = "$(listed "$source")" ] || fail "the copy back lists other records"

expect_exit 1 "to: catalog: unknown kind 'mysql:'" -- \
  migrate --from "$source" --to "mysql://admin:hunter2@db/pins"
if grep -q hunter2 err.txt out.txt; then fail "a password was echoed: $(cat err.txt)"; fi
expect_exit 1 "to: names the catalog migrated from" -- migrate --from "$source" --to "$source"
expect_exit 1 "from: there is no catalog at sqlite:$work/none.sqlite" -- \
  migrate --from "sqlite:$work/none.sqlite" --to "sqlite:$work/never.sqlite"
expect_exit 2 "--to" -- migrate --from "$source"
if [ -e "$work/none.sqlite" ] || [ -e "$work/never.sqlite" ]; then
  fail "a refused run made a file"
fi
[ ! -e pindeck-data ] || fail "migrate made a data directory"
echo "migrate: ok"
