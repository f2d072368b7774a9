#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The pindeck command's sources (DESIGN §7), as a user runs them, fetching from serve_files on
# 127.0.0.1: `import URL` refused without --allow-private-network (naming loopback, storing
# nothing), then accepted, persisted with --wait and "exists" the second time; a Discord message;
# a Pinterest feed from a file and from a URL; a Pindeck export, dry run first; a variation from a
# URL, once per artifact key; approve and reject; and an import naming nothing.
# usage: sources_test.sh PINDECK_BINARY SERVE_FILES_BINARY TEST_DATA_DIR
set -euo pipefail
pindeck=$1 serve_files=$2 data=$3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
in_scratch_dir
use_local_store
[ -d "$data/images" ] || fail "no test data at $data"

servers=()
stop_servers() {
  local pid
  for pid in "${servers[@]}"; do kill "$pid" 2> /dev/null || true; done
}
trap 'stop_servers; rm -rf "$work"' EXIT

# serve DIR NAME: serves DIR's files (as they are now) and sets the variable NAME to its base URL.
serve() {
  "$serve_files" "$1" > "$1.port" &
  servers+=($!)
  for _ in $(seq 100); do
    [ -s "$1.port" ] && break
    sleep 0.1
  done
  local port
  port=$(head -n 1 "$1.port")
  [[ "$port" =~ ^[0-9]+$ ]] || fail "serve_files $1 printed no port"
  printf -v "$2" 'http://127.0.0.1:%s' "$port"
}

# Small PNGs, each different.
mkdir -p www/att www/originals www/convex www/gen
python3 - www/a.png www/att/m1.png www/att/m2.png www/att/m3.png www/originals/p1.png \
  www/originals/p2.png www/originals/u1.png www/convex/root.png www/convex/child.png \
  www/gen/v1.png <<'PY'
import struct, sys, zlib
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
for seed, path in enumerate(sys.argv[1:], 1):
    w, h = 40 + seed, 30
    rows = b"".join(b"\0" + bytes(v for x in range(w) for v in (x * 255 // w, y * 255 // h,
                                                                   seed * 37 % 256))
                    for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
serve www base

count() { "$pindeck" list --limit 1000 --json | jq '.records | length'; }

# A URL on loopback is refused unless the user allows private networks, and nothing is stored.
expect_exit 1 "loopback" -- import "$base/a.png"
grep -qF "$base/a.png" err.txt || fail "the refusal does not name the URL: $(cat err.txt)"
[ "$(count)" = 0 ] || fail "a refused import stored a record"

"$pindeck" import "$base/a.png" --allow-private-network --wait --json --tags harbour > a.json
jq -e --arg url "$base/a.png" 'length == 1 and .[0].created == true and
  .[0].record.storagePersistStatus == "succeeded" and .[0].record.sourceUrl == $url and
  (.[0].record.tags | index("harbour") and index("original"))' a.json > /dev/null ||
  fail "import URL --wait: $(cat a.json)"
upload_id=$(jq -r '.[0].record.id' a.json)
"$pindeck" import "$base/a.png" --allow-private-network > again.txt
grep -q "^$upload_id  exists   succeeded" again.txt || fail "the same URL again: $(cat again.txt)"
expect_exit 1 "404" -- import "$base/missing.png" --allow-private-network
[ "$(count)" = 1 ]

# A Discord message with three images, two imported for owner u1.
cat > message.json <<JSON
{"id": "1180000000000000001", "channel_id": "1180000000000000002",
 "guild_id": "1180000000000000003", "content": "Night market sref 4242",
 "author": {"id": "99", "username": "gaffer"}, "embeds": [],
 "attachments": [
  {"id": "1", "filename": "m1.png", "content_type": "image/png", "url": "$base/att/m1.png"},
  {"id": "2", "filename": "m2.png", "content_type": "image/png", "url": "$base/att/m2.png"},
  {"id": "3", "filename": "m3.png", "content_type": "image/png", "url": "$base/att/m3.png"}]}
JSON
"$pindeck" import --discord message.json --owner u1 --max-images 2 --allow-private-network \
  --json > discord.json
jq -e 'length == 2 and all(.[]; .created == true and .record.sourceType == "discord" and
  .record.status == "pending" and .record.uploadedBy == "u1" and .record.sref == "4242" and
  (.record.externalId | startswith("discord:url:u1:1180000000000000003:")))
  and (map(.record.externalId) | unique | length == 2)' discord.json > /dev/null ||
  fail "import --discord: $(cat discord.json)"
discord_id=$(jq -r '.[0].record.id' discord.json)
[ "$(count)" = 3 ]

# A Pinterest feed from a file, then another from a URL under a board of the user's naming.
feed() { # FIRST_PIN IMAGE_PATH...: a board's RSS feed of pins FIRST_PIN, FIRST_PIN + 1...
  local pin=$1
  shift
  echo '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Neon</title>'
  echo '<link>https://www.pinterest.com/maker/neon-nights/</link><description>Neon</description>'
  for image in "$@"; do
    echo "<item><title>Pin $pin</title><link>https://www.pinterest.com/pin/$pin/</link>"
    echo "<description>&lt;img src=\"$base$image\"&gt;Frame $pin</description></item>"
    pin=$((pin + 1))
  done
  echo '</channel></rss>'
}
feed 10001 /originals/p1.png /originals/p2.png > board.rss
"$pindeck" import --pinterest-feed board.rss --allow-private-network --json > feed.json
jq -e 'length == 2 and all(.[]; .created == true and .record.sourceType == "pinterest" and
  .record.status == "pending") and (map(.record.externalId) ==
  ["pinterest:neon-nights:10001", "pinterest:neon-nights:10002"])' feed.json > /dev/null ||
  fail "import --pinterest-feed FILE: $(cat feed.json)"
pin_id=$(jq -r '.[0].record.id' feed.json)
mkdir feeds
feed 20001 /originals/u1.png > feeds/neon.rss
serve feeds feed_base
"$pindeck" import --pinterest-feed "$feed_base/neon.rss" --board "Film Stills" \
  --allow-private-network --json > feed-url.json
jq -e 'length == 1 and .[0].created == true and
  .[0].record.externalId == "pinterest:film-stills:20001" and
  (.[0].record.tags | index("film-stills"))' feed-url.json > /dev/null ||
  fail "import --pinterest-feed URL: $(cat feed-url.json)"
[ "$(count)" = 6 ]

# A Pindeck export: a root and its variation. The dry run stores nothing.
mkdir -p export/images
jq -nc --arg url "$base/convex/root.png" '{_id: "k17root", _creationTime: 1700000000000.5,
  title: "Dune study", category: "Cinematography", tags: ["desert"], imageUrl: $url,
  sourceType: "upload", status: "active", uniqueId: "img-1-root"}' > export/images/documents.jsonl
jq -nc --arg url "$base/convex/child.png" '{_id: "k17child", _creationTime: 1700000001000.0,
  title: "Dune study", category: "Cinematography", tags: ["desert", "generated", "variation"],
  imageUrl: $url, sourceType: "ai", status: "active", uniqueId: "img-1-root",
  parentImageId: "k17root", generationArtifactKey: "art-1"}' >> export/images/documents.jsonl
"$pindeck" import --pindeck-export export --dry-run --allow-private-network --json > dry.json
jq -e 'length == 2' dry.json > /dev/null || fail "import --pindeck-export --dry-run: $(cat dry.json)"
[ "$(count)" = 6 ] || fail "a dry run stored records"
"$pindeck" import --pindeck-export export --allow-private-network --wait --json > export.json
jq -e 'length == 2 and all(.[]; .created == true and .record.storagePersistStatus == "succeeded")
  and .[0].record.title == "Dune study" and .[1].record.parentImageId == .[0].record.id and
  .[1].record.uniqueId == .[0].record.uniqueId' export.json > /dev/null ||
  fail "import --pindeck-export: $(cat export.json)"
[ "$(count)" = 8 ]

# A variation from a URL: the second call with the same artifact key gives the first record.
for run in 1 2; do
  "$pindeck" variation "$upload_id" "$base/gen/v1.png" --artifact-key k --allow-private-network \
    --json > "variation$run.json"
done
jq -e --arg parent "$upload_id" 'length == 1 and .[0].created == true and
  .[0].record.parentImageId == $parent and .[0].record.generationArtifactKey == "k" and
  (.[0].record.tags | index("variation"))' variation1.json > /dev/null ||
  fail "variation: $(cat variation1.json)"
jq -e --slurpfile first variation1.json '.[0].created == false and
  .[0].record.id == $first[0][0].record.id' variation2.json > /dev/null ||
  fail "variation again: $(cat variation2.json)"
[ "$(count)" = 9 ]

# Moderation: a pending Discord record becomes draft; a rejected pin is deleted.
"$pindeck" approve "$discord_id" --json > approved.json
jq -e --arg id "$discord_id" 'length == 1 and .[0].id == $id and .[0].status == "draft"' \
  approved.json > /dev/null || fail "approve: $(cat approved.json)"
"$pindeck" show "$discord_id" --json | jq -e '.status == "draft"' > /dev/null
expect_exit 1 "0000000000000nope" -- approve "$pin_id" 0000000000000nope
"$pindeck" show "$pin_id" --json | jq -e '.status == "pending"' > /dev/null ||
  fail "a refused approval changed a record"
"$pindeck" reject "$pin_id" > rejected.txt
expect_exit 1 "$pin_id" -- show "$pin_id"
[ "$(count)" = 8 ]

# An import naming nothing to import is a usage error.
expect_exit 2 "name image URLs" -- import
echo "cli sources: ok"
