#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# planted_violations.sh SRC_DIR CHECKER: the layer check must catch each kind of violation, planted
# one at a time in a copy of the tree.
set -euo pipefail
src=${1:?} checker=${2:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

plant() {  # plant FILE LINE: the checker must fail on the copy with LINE added to FILE
  rm -rf "$work/src"
  cp -r "$src" "$work/src"
  echo "$2" >> "$work/src/$1"
  if "$checker" "$work/src" > /dev/null 2>&1; then
    echo "not caught: '$2' in $1" >&2
    exit 1
  fi
}
plant catalog/cursor.cpp '#include "pipeline/persistence.hpp"'
plant media/probe.cpp '#include "s3/client.hpp"'
plant model/ids.cpp '#include "catalog/catalog.hpp"'
plant pipeline/worker_pool.cpp '#include "pindeck/client.hpp"'
plant pipeline/worker_pool.cpp 'const char* sql = "SELECT id FROM records";'
echo "planted_violations: every planted violation was caught"
