#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's main job through the pindeck command, on the embedded local store:
#   pindeck upload FILE... --wait --json (with record options, which persistence keeps), then
#   list, show, backfill; and a refused upload.
# usage: upload_test.sh PINDECK_BINARY TEST_DATA_DIR
set -euo pipefail
pindeck=$1 data=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
in_scratch_dir

"$pindeck" upload "$data"/images/*.jpg --wait --json --description "Plates" --category Film \
  --tags night,city --group Location --project Reel --project-order 0 --moodboard Mood \
  --sref 42 --source-url https://example.com/plates > uploaded.json
python3 - uploaded.json "$data"/images/*.jpg <<'PY'
import hashlib, json, os, sys, urllib.parse
records = json.load(open(sys.argv[1]))
def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
def file_of(url):
    assert url.startswith("file://"), url
    path = urllib.parse.unquote(url[len("file://"):])
    assert os.path.isfile(path), ("no file at", url)
    return path
originals = {sha256_of(path) for path in sys.argv[2:]}
assert len(records) == 3, records
options = {"description": "Plates", "category": "Film", "tags": ["night", "city"],
           "group": "Location", "projectName": "Reel", "projectOrder": 0,
           "moodboardName": "Mood", "sref": "42", "sourceUrl": "https://example.com/plates"}
for r in records:
    for field, value in options.items():
        assert r.get(field) == value, (field, r)
    assert r["storagePersistStatus"] == "succeeded", r
    assert r["storageProvider"] == "local", r
    # Every URL names a file that is there, and the original's is the uploaded file itself.
    assert r["sha256"] in originals, r
    assert sha256_of(file_of(r["imageUrl"])) == r["sha256"], r
    for url in [r["previewUrl"], *r["derivativeUrls"].values()]:
        assert os.path.getsize(file_of(url)) > 0, (url, r)
    assert len(r["derivativeUrls"]) == 3, r
    assert "storageId" not in r, r
    assert 1 <= len(r["colors"]) <= 5, r
    assert r["storagePath"].endswith(".jpg"), r
PY
"$pindeck" list | grep -q safelanding-5120x2880
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' uploaded.json)
"$pindeck" show "$id" | grep -q "storagePersistStatus: succeeded"
# An absent staging folder is not an empty one.
[ -d pindeck-data/staging ] || { echo "pindeck-data/staging is missing" >&2; exit 1; }
[ -z "$(ls -A pindeck-data/staging)" ] || { echo "staged copies left behind" >&2; exit 1; }

echo "not an image" > notes.jpg
if "$pindeck" upload notes.jpg 2> refused.txt; then
  echo "a text file was accepted" >&2
  exit 1
fi
grep -q "notes.jpg" refused.txt
"$pindeck" backfill --json | grep -q '"rescheduled":0'
echo "cli upload: ok"
