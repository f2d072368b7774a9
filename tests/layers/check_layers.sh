#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check_layers.sh SRC_DIR: the second guard of DESIGN §1's layer order, beside the build's own
# (cmake/Parts.cmake makes an include of a higher part fail to compile). Fails, naming the file and
# line, when a part includes a part it may not use, when anything but client/ and capi/ includes
# the public Client headers, or when SQL is written outside src/catalog/.
set -euo pipefail
src=${1:?usage: check_layers.sh SRC_DIR}

declare -A allowed=(
  [util]=""
  [model]="util"
  [catalog]="util model"
  [staging]="util model"
  [s3]="util model"
  [media]="util model"
  [pipeline]="util model catalog staging s3 media"
  [sources]="util model catalog staging s3 media pipeline"
  [client]="util model catalog staging s3 media pipeline sources"
  [capi]="util model catalog staging s3 media pipeline sources client"
)

failures=0
fail() {
  echo "layers: $*" >&2
  failures=$((failures + 1))
}

for dir in "$src"/*/; do
  part=$(basename "$dir")
  [[ -v "allowed[$part]" ]] || { fail "src/$part is not a part of DESIGN §1's layer order"; continue; }
  while IFS=: read -r file line used; do
    [[ "$used" == "$part" || "$used" == pindeck ]] && continue
    [[ " ${allowed[$part]} " == *" $used "* ]] ||
      fail "${file#"$src"/}:$line: $part includes $used/, which it may not use"
  done < <(grep -rnoE '^#include "[a-z0-9_]+/' "$dir" | sed -E 's/#include "([a-z0-9_]+)\//\1/')
done

# Only the client and the C ABI above it know pindeck::Client.
while IFS=: read -r file line _; do
  case "$file" in "$src"/client/* | "$src"/capi/*) continue ;; esac
  fail "${file#"$src"/}:$line: includes the public Client headers; only client/ and capi/ may"
done < <(grep -rnE '^#include "pindeck/(client|async)\.hpp"' "$src" || true)

# SQL belongs to the catalog, so a second catalog backend changes nothing else.
while IFS=: read -r file line _; do
  case "$file" in "$src"/catalog/*) continue ;; esac
  fail "${file#"$src"/}:$line: SQL outside src/catalog/"
done < <(grep -rnE '"[^"]*\b(SELECT .* FROM|INSERT INTO|DELETE FROM|UPDATE [a-z_]+ SET|json_extract)\b' "$src" || true)

if ((failures > 0)); then
  echo "layers: $failures violation(s)" >&2
  exit 1
fi
echo "layers: every part of $src keeps to its layer"
