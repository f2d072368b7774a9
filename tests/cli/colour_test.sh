#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# colour_test.sh PINDECK TEST_DATA WORK_DIR: colour search through the pindeck command. Images are
# uploaded and persisted (local store); list and search with --color find exactly the records
# whose palette has a colour within --distance, computed here with the redmean formula of DESIGN
# §8; --order closeness puts the nearest first; `palette --resample` samples the same palette
# again; a bad --color or --distance is refused naming it.
set -euo pipefail
pindeck=$1 data=$2 work=$3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

"$pindeck" upload "$data"/images/truchet-l.webp "$data"/images/flow-5120x2880.jpg --wait --json \
  --tags shot > uploaded.json

# check.py COLOUR DISTANCE ORDER ANSWER.json: the answer holds exactly the uploaded records
# within DISTANCE of COLOUR, nearest first when ORDER is closeness.
cat > check.py <<'PY'
import json, math, sys
colour, distance, order, answer = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
def rgb(text):
    text = text.lstrip('#')
    if len(text) in (3, 4):
        return tuple(int(c * 2, 16) for c in text[:3])
    return tuple(int(text[i:i + 2], 16) for i in (0, 2, 4))
def redmean(a, b):
    mean_r = (a[0] + b[0]) / 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return math.sqrt((2 + mean_r / 256) * dr * dr + 4 * dg * dg + (2 + (255 - mean_r) / 256) * db * db)
centre = rgb(colour)
records = json.load(open('uploaded.json'))
def nearest(r):
    return min((redmean(centre, rgb(c)) for c in r.get('colors', [])), default=math.inf)
expected = {r['id'] for r in records if nearest(r) <= distance}
got = [r['id'] for r in json.load(open(answer))['records']]
assert len(got) == len(set(got)), f"duplicates in {got}"
assert set(got) == expected, f"{colour} within {distance}: got {sorted(got)}, expected {sorted(expected)}"
if order == 'closeness':
    by_id = {r['id']: r for r in records}
    distances = [nearest(by_id[i]) for i in got]
    assert distances == sorted(distances), f"not nearest first: {distances}"
print(len(expected))
PY

first=$(python3 -c "import json; print(json.load(open('uploaded.json'))[0]['colors'][0])")
[ -n "$first" ] || fail "the first upload has no palette"
short=${first:1:1}${first:3:1}${first:5:1}  # a 3-digit form, near the first colour
for query in "$first" "${first^^}" "${first:1}ff" "#$short"; do
  for distance in 0 78 200; do
    "$pindeck" list --color "$query" --distance "$distance" --json > answer.json
    python3 check.py "$query" "$distance" uploadedAt answer.json > /dev/null
  done
done
# The default distance is 78; closeness order; paging with --limit 1 and the cursor.
"$pindeck" list --color "$first" --order closeness --json > answer.json
n=$(python3 check.py "$first" 78 closeness answer.json)
[ "$n" -ge 1 ] || fail "nothing near $first"
"$pindeck" search shot --color "$first" --order closeness --json > answer.json
python3 check.py "$first" 78 closeness answer.json > /dev/null
"$pindeck" search shot --color "$first" --distance 500 --json > answer.json
python3 check.py "$first" 500 relevance answer.json > /dev/null
"$pindeck" list --color "$first" --distance 765 --limit 1 --order closeness > page.txt
grep -q "^more: --cursor " page.txt || fail "no cursor after a page of 1: $(cat page.txt)"

# palette --resample samples what the pipeline sampled.
id=$(python3 -c "import json; print(json.load(open('uploaded.json'))[0]['id'])")
"$pindeck" palette "$id" > before.txt
"$pindeck" palette "$id" --resample > after.txt
cmp before.txt after.txt || fail "resampled palette differs: $(cat before.txt) / $(cat after.txt)"
grep -q "^$id #" after.txt || fail "palette line: $(cat after.txt)"

# Bad values are refused naming the option's field.
set +e
"$pindeck" list --color "#12" > out.txt 2> err.txt
rc=$?
set -e
[ "$rc" = 1 ] || fail "a bad --color exited $rc"
grep -qF 'color: "#12" is not a colour' err.txt || fail "said: $(cat err.txt)"
set +e
"$pindeck" search shot --color "#123" --distance 800 > out.txt 2> err.txt
rc=$?
set -e
[ "$rc" = 1 ] || fail "a bad --distance exited $rc"
grep -qF 'colorDistance: must be a number from 0 to 765' err.txt || fail "said: $(cat err.txt)"
echo "ok"
