#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's main job through the pindeck command, on the embedded local store:
#   pindeck upload FILE... --wait --json (with record options, which persistence keeps), then
#   list, show, backfill; and a refused upload.
# usage: upload_test.sh PINDECK_BINARY TEST_DATA_DIR
set -euo pipefail
pindeck=$1 data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$pindeck" upload "$data"/images/*.jpg --wait --json --description "Plates" --category Film \
  --tags night,city --group Location --project Reel --project-order 0 --moodboard Mood \
  --sref 42 --source-url https://example.com/plates > uploaded.json
python3 - uploaded.json <<'PY'
import json, sys
records = json.load(open(sys.argv[1]))
assert len(records) == 3, records
options = {"description": "Plates", "category": "Film", "tags": ["night", "city"],
           "group": "Location", "projectName": "Reel", "projectOrder": 0,
           "moodboardName": "Mood", "sref": "42", "sourceUrl": "https://example.com/plates"}
for r in records:
    for field, value in options.items():
        assert r.get(field) == value, (field, r)
    assert r["storagePersistStatus"] == "succeeded", r
    assert r["storageProvider"] == "local", r
    assert r["imageUrl"].startswith("file://"), r
    assert "storageId" not in r, r
    assert 1 <= len(r["colors"]) <= 5, r
    assert r["storagePath"].endswith(".jpg"), r
PY
"$pindeck" list | grep -q safelanding-5120x2880
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' uploaded.json)
"$pindeck" show "$id" | grep -q "storagePersistStatus: succeeded"
[ "$(ls pindeck-data/staging | wc -l)" = 0 ]

echo "not an image" > notes.jpg
if "$pindeck" upload notes.jpg 2> refused.txt; then
  echo "a text file was accepted" >&2
  exit 1
fi
grep -q "notes.jpg" refused.txt
"$pindeck" backfill --json | grep -q '"rescheduled":0'
echo "cli upload: ok"
