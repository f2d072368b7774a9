#!/usr/bin/env bash
# cli-end-to-end.sh PINDECK TEST_DATA WORK_DIR: runs the built pindeck command on a scratch data
# directory: add, list --json, show, search, and the exit codes of bad input.
set -euo pipefail
pindeck=$1 data=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE STDERR_PART -- ARGS...: the command exits with CODE and says STDERR_PART.
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

# The default data directory is ./pindeck-data, created on first use.
"$pindeck" add "$data/images/flow-5120x2880.jpg" --title "Flow" --tags river,blue \
  --category Film > add.txt
[ -f pindeck-data/catalog.sqlite ] || fail "./pindeck-data/catalog.sqlite was not created"
id=$(awk '/^added /{print $2}' add.txt)
[ -n "$id" ] || fail "add printed no id: $(cat add.txt)"

"$pindeck" --data-dir pindeck-data add "$data/images/truchet-l.webp" --json > webp.json
jq -e '.contentType == "image/webp" and .title == "truchet-l" and .sourceType == "upload"' \
  webp.json > /dev/null || fail "webp record: $(cat webp.json)"

expected_sha=$(sha256sum "$data/images/flow-5120x2880.jpg" | cut -d' ' -f1)
expected_size=$(stat -c %s "$data/images/flow-5120x2880.jpg")
"$pindeck" list --json > list.json
jq -e --arg id "$id" --arg sha "$expected_sha" --argjson size "$expected_size" '
  (.records | length) == 2 and .nextCursor == null and
  (.records[] | select(.id == $id) |
     .title == "Flow" and .category == "Film" and .tags == ["river", "blue"] and
     .sha256 == $sha and .byteSize == $size and .contentType == "image/jpeg")
' list.json > /dev/null || fail "list --json: $(cat list.json)"

"$pindeck" list --json --category Film > film.json
jq -e '(.records | length) == 1' film.json > /dev/null || fail "category filter: $(cat film.json)"

"$pindeck" list --json --limit 1 > page1.json
cursor=$(jq -r .nextCursor page1.json)
[ "$cursor" != null ] || fail "no cursor after a page of 1 of 2"
"$pindeck" list --json --limit 1 --cursor "$cursor" > page2.json
jq -e --slurpfile p1 page1.json '(.records | length) == 1 and .nextCursor == null and
  .records[0].id != $p1[0].records[0].id' page2.json > /dev/null || fail "paging: $(cat page2.json)"

"$pindeck" show "$id" > show.txt
grep -qx "title: Flow" show.txt || fail "show: $(cat show.txt)"
grep -qx "sha256: $expected_sha" show.txt || fail "show sha256: $(cat show.txt)"
"$pindeck" show "$id" --json | jq -e --arg id "$id" '.id == $id' > /dev/null || fail "show --json"

"$pindeck" search riv > search.txt
grep -q "$id" search.txt || fail "search: $(cat search.txt)"

# Bad input: usage errors exit 2, refusals exit 1, and nothing is added.
expect_exit 2 "A subcommand is required" --
expect_exit 2 "FILE is required" -- add
expect_exit 2 "bogus not in" -- list --source-type bogus
expect_exit 2 "--limit" -- list --limit 0
expect_exit 2 "A subcommand is required" -- frobnicate
expect_exit 1 "no record with id" -- show does-not-exist
expect_exit 1 "no such file" -- add "$work/missing.jpg"
expect_exit 1 "not an image" -- add "$data/images/README.md"
expect_exit 1 "category: must not be empty" -- add "$data/images/flow-5120x2880.jpg" --category ""
expect_exit 1 "title: must be at most 300 characters" -- add "$data/images/flow-5120x2880.jpg" \
  --title "$(printf 'x%.0s' $(seq 301))"
expect_exit 1 "cursor:" -- list --cursor bogus
expect_exit 1 "search text must contain a word" -- search " "
"$pindeck" list --json | jq -e '(.records | length) == 2' > /dev/null ||
  fail "bad input added records"

touch not-a-dir
expect_exit 1 "is not a directory" -- --data-dir not-a-dir list
echo "cli end to end: ok"
