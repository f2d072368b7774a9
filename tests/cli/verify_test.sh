#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `pindeck verify` on the embedded local store, as a user runs it: a clean store verifies clean
# (exit 0); after a derivative is removed, another cut short and a stray file added, verify names
# exactly those three (exit 3); --repair restores the two (decodable, at the width of their name)
# and keeps the stray; --delete-orphans removes it; bad usage is refused. No progress bar is drawn
# when stderr is not a terminal.
# usage: verify_test.sh PINDECK_BINARY TEST_DATA_DIR
set -euo pipefail
pindeck=$1 data=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
in_scratch_dir
use_local_store

"$pindeck" upload "$data"/images/truchet-l.webp --wait --json > up.json
objects=pindeck-data/objects/pindeck
read -r small large width < <(python3 -c '
import json, sys
r = json.load(open("up.json"))[0]
d = r["derivativeStoragePaths"]
print(d["small"], d["large"], r["width"])')

"$pindeck" verify > clean.txt 2> clean.err
grep -q "^1 records, 5 objects checked; 0 problems, 0 orphans$" clean.txt
[ ! -s clean.err ]

rm "$objects/$small"
size=$(stat -c %s "$objects/$large")
truncate -s $((size / 2)) "$objects/$large"
mkdir -p "$objects/media-uploads/2020/01_01/low"
echo stray > "$objects/media-uploads/2020/01_01/low/stray-w320.webp"

status=0
"$pindeck" verify --json > found.json || status=$?
[ "$status" = 3 ]
python3 - found.json "$small" "$large" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
small, large = sys.argv[2], sys.argv[3]
got = sorted((f["key"], f["problem"], f["role"]) for f in report["findings"])
assert got == sorted([(small, "missing", "small"), (large, "truncated", "large")]), got
assert report["orphans"] == [{"key": "media-uploads/2020/01_01/low/stray-w320.webp",
                              "deleted": False}], report["orphans"]
assert report["complete"] and report["objectsChecked"] == 5
PY

status=0
"$pindeck" verify --repair > repaired.txt || status=$?
[ "$status" = 3 ]  # the stray is still there
[ "$(grep -c '  repaired$' repaired.txt)" = 2 ]
python3 - "$objects/$small" "$objects/$large" "$width" <<'PY'
import struct, sys
def webp_width(path):
    b = open(path, "rb").read()
    assert b[:4] == b"RIFF" and b[8:12] == b"WEBP", path
    assert struct.unpack("<I", b[4:8])[0] + 8 <= len(b), "still truncated: " + path
    chunk = b[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(b[24:27], "little")
    if chunk == b"VP8L":
        return 1 + (struct.unpack("<I", b[21:25])[0] & 0x3FFF)
    return struct.unpack("<H", b[26:28])[0] & 0x3FFF
width = int(sys.argv[3])
assert webp_width(sys.argv[1]) == min(320, width), webp_width(sys.argv[1])
assert webp_width(sys.argv[2]) == min(1280, width), webp_width(sys.argv[2])
PY
[ -f "$objects/media-uploads/2020/01_01/low/stray-w320.webp" ]

"$pindeck" verify --delete-orphans > swept.txt
grep -q "^orphan  media-uploads/2020/01_01/low/stray-w320.webp  deleted$" swept.txt
[ ! -e "$objects/media-uploads/2020/01_01/low/stray-w320.webp" ]
"$pindeck" verify > again.txt
grep -q "0 problems, 0 orphans$" again.txt

# A filter checks only its records and looks for no orphan.
"$pindeck" verify --category Nothing > filtered.txt
grep -q "^0 records, 0 objects checked; 0 problems, 0 orphans (not looked for" filtered.txt

status=0
"$pindeck" verify --delete-orphans --category General 2> refused.err || status=$?
[ "$status" = 1 ]
grep -q "delete_orphans" refused.err
status=0
"$pindeck" verify --max-in-flight 0 2> usage.err || status=$?
[ "$status" = 2 ]
echo "cli verify: ok"
