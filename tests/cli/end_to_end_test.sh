#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# end_to_end_test.sh PINDECK TEST_DATA WORK_DIR: runs the built pindeck command on a scratch data
# directory: upload with every record option, list --json, show, search, and the exit codes and
# messages of bad input.
set -euo pipefail
pindeck=$1 data=$2 work=$3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

# Everything under the data directory, with sizes: unchanged means nothing was stored.
data_state() { find pindeck-data -type f -printf '%p %s\n' | sort; }

# A bad option value on a fresh directory is refused before the data directory is even made.
expect_exit 2 "--project-order: must not be negative (got -1)" -- \
  upload "$data/images/flow-5120x2880.jpg" --project-order -1
[ ! -e pindeck-data ] || fail "a refused upload created ./pindeck-data"

# The default data directory is ./pindeck-data, created on first use.
"$pindeck" upload "$data/images/flow-5120x2880.jpg" --title "Flow" --tags river,blue \
  --category Film > upload.txt
[ -f pindeck-data/catalog.sqlite ] || fail "./pindeck-data/catalog.sqlite was not created"
id=$(awk '{print $1; exit}' upload.txt)
[ -n "$id" ] || fail "upload printed no id: $(cat upload.txt)"

"$pindeck" --data-dir pindeck-data upload "$data/images/truchet-l.webp" --json > webp.json
jq -e 'length == 1 and (.[0] | .contentType == "image/webp" and .title == "truchet-l" and
  .sourceType == "upload" and .category == "General" and .tags == [])' webp.json > /dev/null ||
  fail "webp record: $(cat webp.json)"

# Every record option, applied to each file of one upload.
"$pindeck" upload "$data/images/volna-5120x2880.jpg" "$data/images/canopee-3840x2160.png" \
  --title "Wave study" --description "Hokusai, redrawn" --category Reference \
  --tags sea,blue,print --group Ocean --project "The Wave" --project-order 3 \
  --moodboard "Act one" --sref 2771549812 --source-url "https://example.com/wave?id=1" \
  --json > options.json
jq -e 'length == 2' options.json > /dev/null || fail "upload of two files: $(cat options.json)"
has_every_option='.title == "Wave study" and .description == "Hokusai, redrawn" and
  .category == "Reference" and .tags == ["sea", "blue", "print"] and .group == "Ocean" and
  .projectName == "The Wave" and .projectOrder == 3 and .moodboardName == "Act one" and
  .sref == "2771549812" and .sourceUrl == "https://example.com/wave?id=1"'
for option_id in $(jq -r '.[].id' options.json); do
  "$pindeck" show "$option_id" --json > shown.json
  jq -e "$has_every_option" shown.json > /dev/null || fail "show --json: $(cat shown.json)"
done
"$pindeck" show "$option_id" > shown.txt
for line in "description: Hokusai, redrawn" "tags: sea, blue, print" "group: Ocean" \
  "projectName: The Wave" "projectOrder: 3" "moodboardName: Act one" "sref: 2771549812" \
  "sourceUrl: https://example.com/wave?id=1"; do
  grep -qxF "$line" shown.txt || fail "show has no '$line': $(cat shown.txt)"
done
"$pindeck" list --json --project "The Wave" --order project > project.json
jq -e "(.records | length) == 2 and all(.records[]; $has_every_option)" project.json \
  > /dev/null || fail "list --json --project: $(cat project.json)"

expected_sha=$(sha256sum "$data/images/flow-5120x2880.jpg" | cut -d' ' -f1)
expected_size=$(stat -c %s "$data/images/flow-5120x2880.jpg")
"$pindeck" list --json > list.json
jq -e --arg id "$id" --arg sha "$expected_sha" --argjson size "$expected_size" '
  (.records | length) == 4 and .nextCursor == null and
  (.records[] | select(.id == $id) |
     .title == "Flow" and .category == "Film" and .tags == ["river", "blue"] and
     .sha256 == $sha and .byteSize == $size and .contentType == "image/jpeg")
' list.json > /dev/null || fail "list --json: $(cat list.json)"

"$pindeck" list --json --category Film > film.json
jq -e '(.records | length) == 1' film.json > /dev/null || fail "category filter: $(cat film.json)"

"$pindeck" list --json --limit 3 > page1.json
cursor=$(jq -r .nextCursor page1.json)
[ "$cursor" != null ] || fail "no cursor after a page of 3 of 4"
"$pindeck" list --json --limit 3 --cursor "$cursor" > page2.json
jq -e --slurpfile p1 page1.json '(.records | length) == 1 and .nextCursor == null and
  ([.records[0].id] - [$p1[0].records[].id] | length) == 1' page2.json > /dev/null ||
  fail "paging: $(cat page2.json)"

"$pindeck" show "$id" > show.txt
grep -qx "title: Flow" show.txt || fail "show: $(cat show.txt)"
grep -qx "sha256: $expected_sha" show.txt || fail "show sha256: $(cat show.txt)"
"$pindeck" show "$id" --json | jq -e --arg id "$id" '.id == $id' > /dev/null || fail "show --json"

"$pindeck" search riv > search.txt
grep -q "$id" search.txt || fail "search: $(cat search.txt)"
"$pindeck" search hokusai --json > search.json
jq -e '(.records | length) == 2' search.json > /dev/null || fail "search: $(cat search.json)"

# Bad input: usage errors (bad option values among them) exit 2, refusals exit 1, and nothing is
# stored.
before=$(data_state)
jpg=$data/images/flow-5120x2880.jpg
expect_exit 2 "A subcommand is required" --
expect_exit 2 "FILE is required" -- upload
expect_exit 2 "bogus not in" -- list --source-type bogus
expect_exit 2 "--limit" -- list --limit 0
expect_exit 2 "A subcommand is required" -- frobnicate
expect_exit 2 "A subcommand is required" -- add "$jpg"
expect_exit 2 "File does not exist" -- upload "$work/missing.jpg"
expect_exit 2 "--project-order: must not be negative (got -1)" -- upload "$jpg" --project-order -1
expect_exit 2 "--project-order: must not be negative (got -2)" -- \
  upload "$jpg" "$data/images/truchet-l.webp" --project-order=-2
expect_exit 2 "--project-order" -- upload "$jpg" --project-order first
expect_exit 2 "--tags: every tag must not be an empty string" -- upload "$jpg" --tags ""
expect_exit 2 "--category: must not be empty" -- upload "$jpg" --category ""
expect_exit 2 "--title: must not be empty" -- upload "$jpg" --title ""
expect_exit 2 "--title: must be at most 300 characters" -- upload "$jpg" \
  --title "$(printf 'x%.0s' $(seq 301))"
expect_exit 1 "no record with id" -- show does-not-exist
expect_exit 1 "cursor:" -- list --cursor bogus
expect_exit 1 "search text must contain a word" -- search " "
[ "$(data_state)" = "$before" ] || fail "bad input stored something: $(data_state)"

expect_exit 1 "not an image" -- upload "$data/images/README.md"
"$pindeck" list --json | jq -e '(.records | length) == 4' > /dev/null ||
  fail "bad input added records"
[ -d pindeck-data/staging ] || fail "pindeck-data/staging is missing"
[ -z "$(find pindeck-data/staging -type f)" ] || fail "a refused upload left bytes in staging"

touch not-a-dir
expect_exit 1 "is not a directory" -- --data-dir not-a-dir list
echo "cli end to end: ok"
