#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `pindeck lineage` and `pindeck project order`, as a user runs them: a root with two variations
# (uploaded with --parent) and a variation of one of them; the readable form names parent, root,
# children and the family tree; --json pages children with the cursor; ordering a project row is
# what `list --order project` then shows, and a bad id is refused naming it and changes nothing.
# usage: lineage_test.sh PINDECK_BINARY TEST_DATA_DIR
set -euo pipefail
pindeck=$1 data=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
in_scratch_dir
use_local_store
image="$data/images/truchet-l.webp"

upload() {
  "$pindeck" upload "$image" --json "$@" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'
}
root=$(upload --title "Root frame" --project reel)
one=$(upload --title "Child one" --project reel --parent "$root")
two=$(upload --title "Child two" --project reel --parent "$root")
grand=$(upload --title "Grandchild" --parent "$one")

# Readable: parent, root, no children, the family as a tree with this record marked.
"$pindeck" lineage "$grand" > grand.txt
cat > expected.txt <<TXT
record    $grand  Grandchild
parent    $one  Child one
root      $root  Root frame
children  none
family    4 record(s)
  $root  Root frame
    $two  Child two
    $one  Child one
      $grand  Grandchild  <- this record
TXT
diff -u expected.txt grand.txt

# The root's children, one a page with --json: newest first, each once; no parent.
"$pindeck" lineage "$root" --limit 1 --json > page1.json
cursor=$(python3 - page1.json "$root" "$two" "$grand" <<'PY'
import json, sys
answer = json.load(open(sys.argv[1]))
root, two, grand = sys.argv[2:]
assert answer["record"]["id"] == root and answer["parent"] is None, answer
assert answer["root"]["id"] == root
assert [r["id"] for r in answer["children"]["records"]] == [two], answer["children"]
family = answer["family"]
assert family["rootId"] == root and family["complete"] is True
assert len(family["records"]) == 4 and family["records"][-1]["id"] == grand
print(answer["children"]["nextCursor"])
PY
)
"$pindeck" lineage "$root" --limit 1 --cursor "$cursor" --json > page2.json
python3 - page2.json "$one" <<'PY'
import json, sys
children = json.load(open(sys.argv[1]))["children"]
assert [r["id"] for r in children["records"]] == [sys.argv[2]], children
assert children["nextCursor"] is None
PY
"$pindeck" lineage "$root" | grep -q "^parent    none (an original)$"

# Unknown ids and parents are refused, naming them.
if "$pindeck" lineage 0000000000000nope 2> unknown.txt; then exit 1; fi
grep -q 'no record with id "0000000000000nope"' unknown.txt
if "$pindeck" upload "$image" --parent 0000000000000nope 2> orphan.txt; then exit 1; fi
grep -q "parentImageId" orphan.txt

# Project order: the row follows; a bad id changes nothing.
row() {
  "$pindeck" list --project reel --order project --json |
    python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin)["records"]))'
}
"$pindeck" project order reel "$two" "$root" "$one" | grep -q "^0  $two$"
[ "$(row)" = "$two $root $one" ]
if "$pindeck" project order reel "$one" "$grand" 2> elsewhere.txt; then exit 1; fi
grep -q "not in project \"reel\": \"$grand\"" elsewhere.txt
if "$pindeck" project order reel "$one" 0000000000000nope 2> missing.txt; then exit 1; fi
grep -q '"0000000000000nope"' missing.txt
[ "$(row)" = "$two $root $one" ]
"$pindeck" project order reel "$one" --json | python3 -c '
import json, sys
answer = json.load(sys.stdin)
assert answer["project"] == "reel" and answer["changed"] == 3, answer'
[ "$(row)" = "$one $two $root" ]
status=0
"$pindeck" project order reel 2> /dev/null || status=$?
[ "$status" = 2 ]
echo "cli lineage: ok"
