#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test-upload-folder.sh PROGRAM IMAGES WORK_DIR
# Runs the C example on the folder IMAGES against the test S3 server (its settings in the file
# named by PINDECK_TEST_S3_ENV, handed to the program as the PINDECK_S3_* variables a user sets),
# then checks what it printed: one line per image (titled after its file), succeeded, with
# colours, and each file that is not an image reported as skipped.
set -euo pipefail
program=$1 images=$2 work=$3
# shellcheck source=../../tests/support/pindeck-s3-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/support/pindeck-s3-env.sh"
rm -rf "$work"
mkdir -p "$work"

if ! "$program" "$work/data" "$images" > "$work/out" 2> "$work/err"; then
  echo "the example failed:" >&2
  cat "$work/out" "$work/err" >&2
  exit 1
fi
cat "$work/out"

fail() { echo "FAIL: $*" >&2; cat "$work/err" >&2; exit 1; }
expected=0
for file in "$images"/*; do
  [ -f "$file" ] || continue
  name=${file##*/}
  case "$name" in
    *.jpg | *.png | *.webp)
      expected=$((expected + 1))
      line=$(awk -F'\t' -v title="${name%.*}" '$2 == title' "$work/out")
      [ "$(wc -l <<< "$line")" = 1 ] && [ -n "$line" ] || fail "no one line for $name"
      IFS=$'\t' read -r id _ status colours <<< "$line"
      [[ "$id" =~ ^[^[:space:]]+$ ]] || fail "$name: bad id '$id'"
      [ "$status" = succeeded ] || fail "$name: storagePersistStatus $status"
      [[ "$colours" =~ ^#[0-9a-f]{6}(,#[0-9a-f]{6}){0,4}$ ]] || fail "$name: bad colours '$colours'"
      ;;
    *) grep -q "skipped $name: " "$work/err" || fail "$name was not reported as skipped" ;;
  esac
done
[ "$expected" -gt 0 ] || fail "no image in $images"
[ "$(wc -l < "$work/out")" = "$expected" ] || fail "$(wc -l < "$work/out") lines for $expected images"
[ "$(cut -f1 "$work/out" | sort -u | wc -l)" = "$expected" ] || fail "two records have one id"
echo "ok: $expected images persisted"
