#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fields_stats_test.sh PINDECK TEST_DATA: Pindeck's genre, style, shot and aiStatus through the
# command (upload options refused as the record refuses them, list filters, show), `pindeck stats`
# checked against counts made here from what was uploaded, and `like`/`view`.
set -euo pipefail
pindeck=$1 data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset PINDECK_S3_ENDPOINT AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL PINDECK_S3_BUCKET

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE STDERR_PART -- ARGS...
expect_exit() {
  local code=$1 part=$2
  shift 3
  set +e
  "$pindeck" "$@" > out.txt 2> err.txt
  local rc=$?
  set -e
  [ "$rc" = "$code" ] || fail "pindeck $* exited $rc, expected $code; stderr: $(cat err.txt)"
  grep -qF -- "$part" err.txt || fail "pindeck $* said '$(cat err.txt)', expected '$part'"
}

image="$data/images/truchet-l.webp"
expect_exit 2 "--genre: contains the control character U+001B at character 2" -- \
  upload "$image" --genre $'No\eir'
expect_exit 2 "--shot: must be at most 100 characters (got 101)" -- \
  upload "$image" --shot "$(head -c 101 /dev/zero | tr '\0' s)"
expect_exit 2 "--ai-status" -- upload "$image" --ai-status done
expect_exit 2 "--variation-type" -- list --variation-type crop
[ ! -e pindeck-data ] || fail "a refused upload created ./pindeck-data"

"$pindeck" upload "$image" --json --category Film --genre Noir --style VHS --shot OTS \
  --ai-status completed > a.json
"$pindeck" upload "$image" --json --category Film --genre Noir --style 16mm > b.json
"$pindeck" upload "$image" --json --category Music --genre Drama --moodboard "pink girl" > c.json
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' a.json)

"$pindeck" show "$id" > show.txt
for line in "genre: Noir" "style: VHS" "shot: OTS" "aiStatus: completed" "likes: 0" "views: 0"; do
  grep -qxF "$line" show.txt || fail "show lacks '$line': $(cat show.txt)"
done

# ids_of FILTER...: the ids `list` prints for these filters, sorted.
ids_of() { "$pindeck" list --json "$@" | python3 -c 'import json,sys; print(" ".join(sorted(r["id"] for r in json.load(sys.stdin)["records"])))'; }
id_in() { python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(f))[0]["id"] for f in sys.argv[1:])))' "$@"; }
[ "$(ids_of --genre Noir)" = "$(id_in a.json b.json)" ] || fail "--genre Noir"
[ "$(ids_of --style VHS)" = "$(id_in a.json)" ] || fail "--style VHS"
[ "$(ids_of --shot OTS)" = "$(id_in a.json)" ] || fail "--shot OTS"
[ "$(ids_of --ai-status completed)" = "$(id_in a.json)" ] || fail "--ai-status completed"
[ "$(ids_of --variation-type style)" = "" ] || fail "--variation-type style"
[ "$(ids_of --genre Noir --style 16mm)" = "$(id_in b.json)" ] || fail "--genre + --style"

# stats --json against counts made from the uploaded records, with and without a filter.
check_stats() {
  python3 - stats.json "$1" a.json b.json c.json <<'PY'
import collections, json, sys
got = json.load(open(sys.argv[1]))
genre_filter = sys.argv[2]
records = [json.load(open(f))[0] for f in sys.argv[3:]]
records = [r for r in records if not genre_filter or r.get("genre") == genre_filter]
assert got["total"] == len(records), got
for field in ["category", "group", "genre", "style", "projectName", "moodboardName",
              "sourceType", "status"]:
    counts = collections.Counter(r[field] for r in records if field in r)
    expected = [{"value": v, "count": n}
                for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    assert got[field] == expected, (field, got[field], expected)
PY
}
"$pindeck" stats --json > stats.json
check_stats ""
"$pindeck" stats --genre Noir --json > stats.json
check_stats Noir
"$pindeck" stats --genre Noir > stats.txt
grep -qx "records: 2" stats.txt || fail "stats: $(cat stats.txt)"
grep -qx "style: 16mm 1, VHS 1" stats.txt || fail "stats: $(cat stats.txt)"
grep -qx "moodboardName: 2 without" stats.txt || fail "stats: $(cat stats.txt)"

# Counters: each call prints the new value; a count never goes below 0.
[ "$("$pindeck" like "$id")" = "likes: 1" ] || fail "like"
"$pindeck" like "$id" --by 4 --json > like.json
python3 - like.json "$id" <<'PY'
import json, sys
assert json.load(open(sys.argv[1])) == {"id": sys.argv[2], "likes": 5}
PY
[ "$("$pindeck" view "$id")" = "views: 1" ] || fail "view"
expect_exit 1 "likes: 5 - 6 would be negative; the count stays 5" -- like "$id" --by -6
expect_exit 1 "no record" -- view 00000000000000000
"$pindeck" show "$id" | grep -qx "likes: 5" || fail "likes after a refusal"

# Deleting by one of the new filters (a dry run: nothing goes).
"$pindeck" delete --where --ai-status completed --dry-run --json > dry.json
python3 - dry.json "$id" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert [d["id"] for d in report["deleted"]] == [sys.argv[2]], report
PY
echo "fields and stats: ok"
