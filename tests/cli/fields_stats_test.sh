#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fields_stats_test.sh PINDECK TEST_DATA: Pindeck's genre, style, shot and aiStatus through the
# command (upload options refused as the record refuses them, list filters, show), `pindeck stats`
# checked against counts made here from what was uploaded, and `like`/`view`.
set -euo pipefail
pindeck=$1 data=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
in_scratch_dir
use_local_store

image="$data/images/truchet-l.webp"
expect_exit 2 "--genre: contains the control character U+001B at character 2" -- \
  upload "$image" --genre $'No\eir'
expect_exit 2 "--shot: must be at most 100 characters (got 101)" -- \
  upload "$image" --shot "$(head -c 101 /dev/zero | tr '\0' s)"
expect_exit 2 "--ai-status" -- upload "$image" --ai-status done
expect_exit 2 "--variation-type" -- list --variation-type crop
[ ! -e pindeck-data ] || fail "a refused upload created ./pindeck-data"

# Two uploads (each waits for its images to persist): one Noir image, two Drama ones.
"$pindeck" upload "$image" --json --category Film --genre Noir --style VHS --shot OTS \
  --ai-status completed > a.json
"$pindeck" upload "$image" "$data/images/truchet-l.webp" --json --category Music --genre Drama \
  --style 16mm --moodboard "pink girl" > c.json
read -r id drama_ids < <(python3 -c '
import json
print(json.load(open("a.json"))[0]["id"], " ".join(sorted(r["id"] for r in json.load(open("c.json")))))')

"$pindeck" show "$id" > show.txt
for line in "genre: Noir" "style: VHS" "shot: OTS" "aiStatus: completed" "likes: 0" "views: 0"; do
  grep -qxF "$line" show.txt || fail "show lacks '$line': $(cat show.txt)"
done

# ids_of FILTER...: the ids `list` prints for these filters (first column), sorted.
ids_of() { "$pindeck" list "$@" | grep -v '^no records$' | cut -d' ' -f1 | sort | xargs; }
[ "$(ids_of --genre Noir)" = "$id" ] || fail "--genre Noir"
[ "$(ids_of --style VHS)" = "$id" ] || fail "--style VHS"
[ "$(ids_of --shot OTS)" = "$id" ] || fail "--shot OTS"
[ "$(ids_of --ai-status completed)" = "$id" ] || fail "--ai-status completed"
[ "$(ids_of --variation-type style)" = "" ] || fail "--variation-type style"
[ "$(ids_of --genre Drama --style 16mm)" = "$drama_ids" ] || fail "--genre Drama --style 16mm"
[ "$(ids_of --genre Noir --style 16mm)" = "" ] || fail "--genre Noir --style 16mm"

# stats --json against counts made from the uploaded records, with and without a filter.
check_stats() {
  python3 - stats.json "$1" a.json c.json <<'PY'
import collections, json, sys
got = json.load(open(sys.argv[1]))
genre_filter = sys.argv[2]
records = [r for f in sys.argv[3:] for r in json.load(open(f))]
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
"$pindeck" stats --genre Drama --json > stats.json
check_stats Drama
"$pindeck" stats > stats.txt
for line in "records: 3" "genre: Drama 2, Noir 1" "style: 16mm 2, VHS 1" \
  "moodboardName: pink girl 2; 1 without" "group: 3 without"; do
  grep -qxF "$line" stats.txt || fail "stats lacks '$line': $(cat stats.txt)"
done

# Counters: each call prints the new value; a count never goes below 0.
[ "$("$pindeck" like "$id")" = "likes: 1" ] || fail "like"
[ "$("$pindeck" like "$id" --by 4 --json)" = "{\"id\":\"$id\",\"likes\":5}" ] || fail "like --json"
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
