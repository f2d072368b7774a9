#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# display_test.sh PINDECK TEST_DATA WORK_DIR: control characters in records. The command refuses
# them (and over-long values) in its options, naming the option; and a record an older version
# stored with them is shown escaped by list, show and search, so it can neither drive the terminal
# nor break the one-line-per-record format.
set -euo pipefail
pindeck=$1 data=$2 work=$3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

command -v sqlite3 > /dev/null || fail "sqlite3 is needed (scripts/install-deps.sh test)"

# expect_refused STDERR_PART -- ARGS...: the command exits 2, says STDERR_PART, stores nothing.
expect_refused() {
  local part=$1
  shift 2
  set +e
  "$pindeck" "$@" > out.txt 2> err.txt
  local rc=$?
  set -e
  [ "$rc" = 2 ] || fail "pindeck $* exited $rc, expected 2; stderr: $(cat err.txt)"
  grep -qF -- "$part" err.txt || fail "pindeck $* said '$(cat err.txt)', expected '$part'"
  [ ! -e pindeck-data ] || fail "a refused upload created ./pindeck-data"
}

image="$data/images/truchet-l.webp"
expect_refused "--title: contains the control character U+001B at character 1" -- \
  upload "$image" --title $'x\e[2Jy'
expect_refused "--description: contains the control character U+0007" -- \
  upload "$image" --description $'ring\a'
expect_refused "--tags: every tag contains the control character U+000A" -- \
  upload "$image" --tags $'a,b\nc'
expect_refused "--tags: at most 100 tags are allowed (got 101)" -- \
  upload "$image" --tags "$(seq -s, 1 101)"
expect_refused "--sref: must be at most 1000 characters (got 1001)" -- \
  upload "$image" --sref "$(head -c 1001 /dev/zero | tr '\0' s)"
# A multi-line description is fine.
"$pindeck" upload "$image" --title "Flow" --tags calm --description $'line 1\n\tline 2' \
  > upload.txt
id=$(awk '{print $1; exit}' upload.txt)

# What an older version could store: escape sequences, a newline, an 8-bit CSI (U+009B).
sqlite3 pindeck-data/catalog.sqlite "UPDATE records SET doc = json_set(doc,
  '\$.title', 'Flow' || char(27) || '[2J' || char(10) || 'fake line' || char(155) || '31m',
  '\$.tags', json_array('t' || char(27) || ']0;pwned' || char(7)),
  '\$.category', 'Cat' || char(13)) WHERE id = '$id'"

# raw FILE: fails when FILE holds a control character other than the newline ending each line.
no_raw_controls() {
  if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$1"; then
    fail "$1 holds raw control characters: $(od -c "$1" | head -20)"
  fi
}

"$pindeck" list > list.txt
no_raw_controls list.txt
[ "$(wc -l < list.txt)" = 1 ] || fail "one record printed as $(wc -l < list.txt) lines: $(cat list.txt)"
grep -qF 'Flow\x1b[2J\nfake line\u009b31m' list.txt || fail "list title not escaped: $(cat list.txt)"
grep -qF '[t\x1b]0;pwned\x07]' list.txt || fail "list tags not escaped: $(cat list.txt)"
grep -qF 'Cat\r' list.txt || fail "list category not escaped: $(cat list.txt)"

"$pindeck" show "$id" > show.txt
no_raw_controls show.txt
grep -qxF 'title: Flow\x1b[2J\nfake line\u009b31m' show.txt || fail "show title: $(cat show.txt)"
grep -qxF 'description: line 1\n\tline 2' show.txt || fail "show description: $(cat show.txt)"
grep -qxF 'tags: t\x1b]0;pwned\x07' show.txt || fail "show tags: $(cat show.txt)"

"$pindeck" search flow > search.txt
no_raw_controls search.txt
[ "$(wc -l < search.txt)" = 1 ] || fail "search printed $(wc -l < search.txt) lines: $(cat search.txt)"
grep -qF 'Flow\x1b[2J\nfake line' search.txt || fail "search not escaped: $(cat search.txt)"

# JSON keeps the exact text, escaped the JSON way.
"$pindeck" show "$id" --json > show.json
jq -e '.title == "Flow\u001b[2J\nfake line\u009b31m"' show.json > /dev/null ||
  fail "JSON title changed: $(cat show.json)"
echo "cli display: ok"
