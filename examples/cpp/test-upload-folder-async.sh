#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test-upload-folder-async.sh PROGRAM IMAGES WORK_DIR
# Runs the C++ example with 3 images in flight on the folder IMAGES against the test S3 server
# (its settings in the file named by PINDECK_TEST_S3_ENV, handed to the program as the PINDECK_S3_*
# variables a user sets), then checks what it printed: every image uploaded and settled once,
# succeeded, with colours; the progress counter reaching the number of files; several uploads
# under way before the first record settled; non-images skipped. Also that a bad --in-flight is
# refused before anything is uploaded.
set -euo pipefail
program=$1 images=$2 work=$3
# shellcheck source=../../tests/support/pindeck-s3-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/support/pindeck-s3-env.sh"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; cat "$work/err" >&2; exit 1; }

if "$program" --in-flight 0 "$work/refused" "$images" > /dev/null 2> "$work/err"; then
  fail "--in-flight 0 was accepted"
fi
grep -q "in-flight" "$work/err" || fail "the refusal of --in-flight 0 does not name it"
[ ! -e "$work/refused" ] || fail "--in-flight 0 created the data directory"

if ! "$program" --in-flight 3 "$work/data" "$images" > "$work/out" 2> "$work/err"; then
  echo "the example failed:" >&2
  cat "$work/out" "$work/err" >&2
  exit 1
fi
cat "$work/out"

files=0 expected=0
for file in "$images"/*; do
  [ -f "$file" ] || continue
  files=$((files + 1))
  name=${file##*/}
  case "$name" in
    *.jpg | *.png | *.webp)
      expected=$((expected + 1))
      id=$(awk -F'\t' -v name="$name" '$1 == "uploaded" && $2 == name { print $3 }' "$work/out")
      [ "$(wc -l <<< "$id")" = 1 ] && [ -n "$id" ] || fail "$name was not uploaded once"
      line=$(awk -F'\t' -v id="$id" '$1 ~ /^\[[0-9]+\/[0-9]+\]$/ && $3 == id' "$work/out")
      [ "$(wc -l <<< "$line")" = 1 ] && [ -n "$line" ] || fail "$name ($id) did not settle once"
      IFS=$'\t' read -r _ status _ title colours <<< "$line"
      [ "$status" = succeeded ] || fail "$name: $status"
      [ "$title" = "${name%.*}" ] || fail "$name: title '$title'"
      [[ "$colours" =~ ^#[0-9a-f]{6}(,#[0-9a-f]{6}){0,4}$ ]] || fail "$name: bad colours '$colours'"
      ;;
    *) grep -q "skipped $name: " "$work/err" || fail "$name was not reported as skipped" ;;
  esac
done
[ "$expected" -ge 3 ] || fail "fewer than 3 images in $images"
[ "$(grep -c '^\[' "$work/out")" = "$expected" ] || fail "not one progress line per image"
grep -q "^\[[0-9]*/$files\]" "$work/out" || fail "the progress counter does not count $files files"
before=$(awk '/^\[/ { exit } /^uploaded/ { n++ } END { print n + 0 }' "$work/out")
[ "$before" -ge 2 ] || fail "only $before upload(s) under way before the first record settled"
tail -n 1 "$work/out" | grep -qx "$expected persisted, 0 failed, $((files - expected)) skipped" ||
  fail "wrong summary"
echo "ok: $expected images persisted, 3 in flight"
