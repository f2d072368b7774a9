#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# sheet_test.sh PINDECK REGION_MEAN TEST_DATA WORK_DIR: palettes drawn as colour swatches on a
# terminal only, and `pindeck sheet`, a self-contained HTML contact sheet. The sheet is rendered by
# headless Chromium and the screenshot checked where each picture should be: its mean colour must
# be the stored w320 derivative's (measured with libvips by region_mean), and the same check must
# catch a deliberately broken image and a derivative removed from the store.
set -euo pipefail
pindeck=$1 region_mean=$2 data=$3 work=$4
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

command -v chromium > /dev/null || fail "chromium is needed (scripts/install-deps.sh test)"
command -v script > /dev/null || fail "script (util-linux) is needed"
unset PINDECK_S3_ENDPOINT AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 NO_COLOR

"$pindeck" upload "$data/images/truchet-l.webp" --wait --tags 'a<b>' \
  --title $'<script>alert(1)</script> & "double" \'single\'' > /dev/null
"$pindeck" upload "$data/images/canopee-3840x2160.png" "$data/images/flow-5120x2880.jpg" \
  --wait --tags plain > /dev/null

# ---- Swatches: on a terminal (a pseudo-terminal made by script(1)) and when forced; plain text
# in a pipe, exactly as before.
"$pindeck" list --json > list.json
python3 - list.json > expected.txt <<'PY'
import json, sys
records = json.load(open(sys.argv[1]))["records"]
assert len(records) == 3 and all(len(r.get("colors", [])) == 5 for r in records), records
first = records[0]
print(first["id"])
print("".join("\x1b[48;2;%d;%d;%dm  \x1b[0m %s " % (int(c[1:3], 16), int(c[3:5], 16),
              int(c[5:7], 16), c) for c in first["colors"]).rstrip())
print("colors: " + ", ".join(first["colors"]))
PY
id=$(sed -n 1p expected.txt) drawn=$(sed -n 2p expected.txt) plain=$(sed -n 3p expected.txt)

script -qec "'$pindeck' show $id" /dev/null | tr -d '\r' > show-tty.txt
grep -qxF "colors: $drawn" show-tty.txt || fail "show on a terminal: $(grep colors show-tty.txt)"
script -qec "'$pindeck' list" /dev/null | tr -d '\r' > list-tty.txt
grep -F "$id" list-tty.txt | grep -qF "]  $drawn" || fail "list on a terminal: $(cat list-tty.txt)"
NO_COLOR=1 script -qec "'$pindeck' show $id" /dev/null | tr -d '\r' > show-nocolor.txt
grep -qxF "$plain" show-nocolor.txt || fail "NO_COLOR still drew: $(grep colors show-nocolor.txt)"
script -qec "'$pindeck' list --color-output never" /dev/null | tr -d '\r' > list-never.txt
"$pindeck" show "$id" > show-pipe.txt
"$pindeck" list > list-pipe.txt
grep -qxF "$plain" show-pipe.txt || fail "show in a pipe: $(grep colors show-pipe.txt)"
for file in show-pipe.txt list-pipe.txt show-nocolor.txt list-never.txt; do
  if grep -q $'\e' "$file"; then fail "$file holds escapes: $(od -c "$file" | head)"; fi
done
grep -q '#' list-pipe.txt && fail "list in a pipe printed the palette: $(cat list-pipe.txt)"
cmp list-pipe.txt list-never.txt || fail "list --color-output never differs from the pipe's"
"$pindeck" show "$id" --color-output=always | grep -qxF "colors: $drawn" ||
  fail "--color-output=always did not draw in a pipe"
# Titles stay escaped on a terminal too: the only escapes are the swatches'.
[ "$(grep -o $'\e' show-tty.txt | wc -l)" = 10 ] || fail "show wrote other escapes: $(cat show-tty.txt)"

# ---- The sheet.
"$pindeck" sheet --out sheet.html > wrote.txt
grep -qxF "wrote sheet.html (3 records)" wrote.txt || fail "sheet said: $(cat wrote.txt)"
[ -z "$(ls -A | grep '^\.sheet')" ] || fail "a temporary file was left: $(ls -A)"
grep -qi '<script' sheet.html && fail "the title's <script> reached the HTML unescaped"
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;double&quot; &#39;single&#39;' \
  sheet.html || fail "the title is not HTML-escaped: $(grep -i title sheet.html)"
grep -qF '>a&lt;b&gt;<' sheet.html || fail "the tag is not HTML-escaped"
if grep -qiE 'https?:|url\(|@import|src="//|<link' sheet.html; then
  fail "the sheet loads something from elsewhere: $(grep -oiE '.{30}(https?:|url\(|@import|src="//|<link).{30}' sheet.html)"
fi
[ "$(grep -c '<img src="data:image/webp;base64,' sheet.html)" = 3 ] || fail "not 3 embedded images"

# What each card must show, in the sheet's order (the listing's): a copy of the w320
# derivative's file in the local store (kept, as one is removed from the store below).
python3 -c '
import json, shutil, sys
for i, r in enumerate(json.load(open(sys.argv[1]))["records"]):
    shutil.copy("pindeck-data/objects/pindeck/" + r["derivativeStoragePaths"]["small"], "w320-%d.webp" % i)
    print("w320-%d.webp" % i)' list.json > derivatives.txt

render() {  # render HTML PNG: a 1100x560 window holds one row of three cards
  timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --force-device-scale-factor=1 --window-size=1100,560 --screenshot="$2" "file://$PWD/$1" \
    > chromium.log 2>&1 || fail "chromium failed: $(tail -5 chromium.log)"
  [ -s "$2" ] || fail "chromium wrote no screenshot: $(tail -5 chromium.log)"
}

# check_pictures PNG: prints, per card, "ok" or "wrong" (the mean colour of the middle of the
# picture box differs from the derivative's by more than 12 in a channel). The layout is the
# sheet's: a 40 px header, 16 px padding, cards 336 px wide 16 px apart, the 320x320 picture box
# 8 px inside, the picture centred in it at its own size or shrunk to fit.
check_pictures() {
  local card=0
  while read -r derivative; do
    read -r w h < <("$region_mean" "$derivative")
    python3 - "$1" "$derivative" "$w" "$h" "$card" "$region_mean" <<'PY'
import subprocess, sys
shot, derivative, w, h, card, tool = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
scale = min(1.0, 320 / w, 320 / h)
dw, dh = w * scale, h * scale
left = 16 + card * 352 + 8 + (320 - dw) / 2
top = 40 + 16 + 8 + (320 - dh) / 2
def mean(image, l, t, width, height):
    out = subprocess.run([tool, image, str(int(l)), str(int(t)), str(int(width)), str(int(height))],
                         check=True, capture_output=True, text=True).stdout
    return [float(v) for v in out.split()]
# The middle 60% of the picture, so a pixel of rounding at the edges does not count.
drawn = mean(shot, left + 0.2 * dw, top + 0.2 * dh, 0.6 * dw, 0.6 * dh)
stored = mean(derivative, 0.2 * w, 0.2 * h, 0.6 * w, 0.6 * h)
# A picture as dark as the empty box would pass even when missing: the check must be able to fail.
box = [30, 30, 30]
if max(abs(s - b) for s, b in zip(stored, box)) <= 36:
    sys.exit("derivative %s is too close to the box colour to be told from a missing picture" % derivative)
print("ok" if max(abs(d - s) for d, s in zip(drawn, stored)) <= 12 else "wrong", drawn, stored)
PY
    card=$((card + 1))
  done < derivatives.txt
}

render sheet.html shot.png
check_pictures shot.png > checks.txt
[ "$(cut -d' ' -f1 checks.txt | tr '\n' ' ')" = "ok ok ok " ] ||
  fail "the sheet does not show the derivatives: $(cat checks.txt)"

# The check can fail, on the pictures that are not there: the second card's derivative removed
# from the store (a placeholder saying so and a warning naming the record) and, in a copy of that
# sheet, the first picture's bytes damaged (a broken image). One render for both keeps it quick.
second_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["records"][1]["id"])' list.json)
rm "pindeck-data/objects/pindeck/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["records"][1]["derivativeStoragePaths"]["small"])' list.json)"
"$pindeck" sheet --out sheet.html > /dev/null 2> warnings.txt
grep -qF "pindeck sheet: $second_id: no object" warnings.txt || fail "no warning: $(cat warnings.txt)"
grep -qF '<p class="missing">w320 derivative unreadable: no object' sheet.html ||
  fail "no placeholder for the missing derivative"
sed '0,/base64,/s//base64,AAAA/' sheet.html > broken.html
render broken.html broken.png
check_pictures broken.png > checks.txt
[ "$(cut -d' ' -f1 checks.txt | tr '\n' ' ')" = "wrong wrong ok " ] ||
  fail "a broken image or a missing derivative went unnoticed: $(cat checks.txt)"

# --link: the record's URL instead of the bytes; the filters and --limit of list.
"$pindeck" sheet --tag plain --limit 1 --link --out linked.html > wrote.txt
grep -qxF "wrote linked.html (1 record)" wrote.txt || fail "sheet --limit 1 said: $(cat wrote.txt)"
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["records"][0]["derivativeUrls"]["small"])' list.json)
grep -qF "<img src=\"$url\"" linked.html || fail "--link did not use $url"
grep -q 'base64' linked.html && fail "--link embedded the bytes"

# A pending record (its store unreachable) has no derivative yet: a placeholder, no image.
mkdir pending && cd pending
PINDECK_S3_ENDPOINT=http://127.0.0.1:9 PINDECK_S3_ACCESS_KEY=k PINDECK_S3_SECRET_KEY=s \
  "$pindeck" upload "$data/images/truchet-l.webp" > /dev/null 2>&1
PINDECK_S3_ENDPOINT=http://127.0.0.1:9 PINDECK_S3_ACCESS_KEY=k PINDECK_S3_SECRET_KEY=s \
  "$pindeck" sheet --out sheet.html > /dev/null
grep -qF '<p class="missing">no w320 derivative yet (pending)</p>' sheet.html ||
  fail "no placeholder for the pending record: $(cat sheet.html)"
grep -q '<img' sheet.html && fail "a pending record got an image"

# Writing where it cannot: an error naming the file, exit 1.
set +e
"$pindeck" sheet --out no/such/dir/sheet.html > /dev/null 2> err.txt
rc=$?
set -e
[ "$rc" = 1 ] || fail "sheet into a missing directory exited $rc"
grep -qF "no/such/dir/sheet.html" err.txt || fail "the error does not name the file: $(cat err.txt)"
echo "cli sheet: ok"
