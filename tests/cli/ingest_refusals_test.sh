#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What `pindeck upload` refuses, said plainly and without hanging: a FIFO, a directory, a
# character device, a truncated image; and a data directory on a read-only file system (when
# this machine lets the test mount one).
# usage: ingest_refusals_test.sh PINDECK_BINARY TEST_DATA_DIR
set -euo pipefail
pindeck=$1 data=$2
work=$(mktemp -d)
cleanup() {
  if mountpoint -q "$work/ro" 2>/dev/null; then umount "$work/ro"; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# refused FILE WORDS...: the upload fails (a timeout is a failure too), naming FILE and WORDS.
refused() {
  local file=$1 words=$2 status=0
  timeout 30 "$pindeck" upload "$file" 2> refused.txt || status=$?
  if [ "$status" = 0 ]; then
    echo "$file was accepted" >&2
    exit 1
  fi
  if [ "$status" = 124 ]; then
    echo "uploading $file hung" >&2
    exit 1
  fi
  grep -qF "$file" refused.txt || { cat refused.txt >&2; exit 1; }
  grep -qF "$words" refused.txt || { cat refused.txt >&2; exit 1; }
}

mkfifo pipe.jpg
refused pipe.jpg "it is a FIFO (named pipe)"
mkdir folder.jpg
refused folder.jpg "directory"  # the command line's own check says it first
refused /dev/zero "it is a character device"
head -c $(( $(stat -c %s "$data/images/flow-5120x2880.jpg") / 2 )) \
  "$data/images/flow-5120x2880.jpg" > half.jpg
refused half.jpg "truncated"
[ "$("$pindeck" list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))')" = 0 ]
[ "$(ls pindeck-data/staging | wc -l)" = 0 ]

mkdir ro
if mount -t tmpfs -o ro,size=1m tmpfs ro 2> mount.txt; then
  if "$pindeck" --data-dir ro list 2> readonly.txt; then
    echo "a read-only data directory was opened" >&2
    exit 1
  fi
  grep -qF "data directory ro is not writable: it is on a read-only file system" readonly.txt ||
    { cat readonly.txt >&2; exit 1; }
else
  echo "cli ingest refusals: read-only check skipped: cannot mount a tmpfs ($(cat mount.txt))"
fi
echo "cli ingest refusals: ok"
