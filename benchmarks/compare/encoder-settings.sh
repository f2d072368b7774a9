#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# encoder-settings.sh: the evidence behind the encoder settings of DESIGN §4 (issue 13): size,
# encode time and visual distance of a grid of WebP, JPEG and PNG settings, beside the settings
# sharp uses by default, so the derivatives can be as good as sharp's at no larger size for less
# encode time.
#
# For every image of tests/data/images and every output of the derivative set it runs
# encoder_settings (benchmarks/media): the image shrunk to the output's width is the reference
# (kept as lossless PNG), and each setting's encode of it is scored with butteraugli (the Debian
# package's 2017 tool, which prints the largest local distance; lower is better, about 1 is "just
# noticeable") against that reference. Outputs: WebP at 320/768/1280 (small/medium/large), and the
# preview at 640 as WebP, JPEG and PNG (the original's format; every format is measured on every
# image, for more evidence per setting). sharp is not run: its settings are encoded with this
# libvips (the same libjpeg-turbo / libwebp / libpng family), so only the settings differ.
#
# sharp's defaults (lib/constructor.js): webp quality 80, effort 4; jpeg quality 80, 4:2:0,
# optimiseCoding on, no trellis; png compressionLevel 6, adaptiveFiltering off (no row filter).
#
# Prints, per image and output, one row per setting: bytes, median encode wall and CPU ms (one
# libvips thread, REPEAT rounds), butteraugli distance, and "sharp" / "ours" marks on sharp's
# default and on what derive() uses today. Then a summary per output over all images (described
# above the code that prints it). Every row also goes to OUT/results.tsv; --from RESULTS prints the
# summary of such a file again without measuring.
#
#   benchmarks/compare/encoder-settings.sh [--repeat N] [--build DIR] [--out DIR]
#                                          [--images "A B"] [--outputs "w320 w768 ..."]
#                                          [--from RESULTS]
#
# Outputs are named w320, w768, w1280 (WebP), p640-webp, p640-jpeg, p640-png. Installs the Debian
# package butteraugli with apt-get if the tool is missing (so it must run as root, as it does on
# the project's machines). Takes about twenty minutes for everything at the default 5 rounds on a
# busy 2-core machine (butteraugli is most of it); --images / --outputs run a part.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build
out=${TMPDIR:-/tmp}/pindeck-encoder-settings
repeat=5
images="canopee-3840x2160.png flow-5120x2880.jpg safelanding-5120x2880.jpg truchet-l.webp volna-5120x2880.jpg"
outputs="w320 w768 w1280 p640-webp p640-jpeg p640-png"
from=""
while [ $# -gt 0 ]; do
  case $1 in
    --repeat) repeat=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --outputs) outputs=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    *) echo "usage: $0 [--repeat N] [--build DIR] [--out DIR] [--images \"A B\"] [--outputs \"w320 ...\"] [--from RESULTS]" >&2; exit 2 ;;
  esac
done
# Per output: format, width, sharp's default setting, the setting derive() uses today.
describe() {
  case $1 in
    w320) echo "webp 320 webp-q80-e4 webp-q80-e4" ;;
    w768) echo "webp 768 webp-q80-e4 webp-q80-e4" ;;
    w1280) echo "webp 1280 webp-q80-e4 webp-q80-e2" ;;
    p640-webp) echo "webp 640 webp-q80-e4 webp-q80-e4" ;;
    p640-jpeg) echo "jpeg 640 jpeg-q80-420-opt jpeg-q80-420-opt" ;;
    p640-png) echo "png 640 png-c6-nofilter png-default" ;;
    *) echo "encoder-settings: unknown output $1" >&2; exit 2 ;;
  esac
}

# measure: runs the grids and scores them into $results.
measure() {
  local program format width sharp ours dir setting bytes wall cpu distance marks
  program=$(realpath -m "$build")/benchmarks/media/encoder_settings
  if [ ! -x "$program" ]; then
    echo "encoder-settings: build encoder_settings first (cmake --build $build --target encoder_settings)" >&2
    exit 1
  fi
  if ! command -v butteraugli >/dev/null; then
    echo "encoder-settings: installing the Debian package butteraugli" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y butteraugli >&2
  fi
  mkdir -p "$out"
  : >"$results"
  for output in $outputs; do
    read -r format width sharp ours <<<"$(describe "$output")"
    for image in $images; do
      dir=$out/$output/${image%.*}
      mkdir -p "$dir"
      "$program" --repeat "$repeat" --format "$format" "$root/tests/data/images/$image" "$width" \
        "$dir" >"$dir.tsv"
      printf '\n%s, %s (%s at %s wide; sharp default %s, ours now %s)\n' "$image" "$output" \
        "$format" "$width" "$sharp" "$ours"
      printf '%-26s %9s %9s %9s %11s\n' setting bytes "wall ms" "cpu ms" butteraugli
      while IFS=$'\t' read -r setting bytes wall cpu; do
        distance=$(butteraugli "$dir/reference.png" "$dir/$setting.decoded.png")
        marks=""
        [ "$setting" = "$sharp" ] && marks+=" sharp"
        [ "$setting" = "$ours" ] && marks+=" ours"
        printf '%-26s %9s %9s %9s %11.3f%s\n' "$setting" "$bytes" "$wall" "$cpu" "$distance" "$marks"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$output" "$image" "$setting" "$bytes" "$wall" \
          "$cpu" "$distance" "${marks# }" >>"$results"
      done <"$dir.tsv"
    done
  done
}

# output, image, setting, bytes, wall ms, cpu ms, distance, marks
if [ -n "$from" ]; then
  results=$from
else
  results=$out/results.tsv
  measure
fi

# Per output, over every image measured, beside sharp's default: total bytes and their ratio to
# sharp's, total encode CPU ms and its ratio, mean butteraugli distance, and on how many images the
# setting is no larger and no worse than sharp's there. Rows shown: sharp's; ours now; every
# setting that is no larger and no worse than sharp's in total and on average ("passes"); and per
# encoder family (effort, or JPEG coding) the smallest setting no worse than sharp's on average
# ("equal-quality-point": what that family costs in bytes for sharp's quality). Cheapest CPU first.
for output in $outputs; do
  read -r format width sharp ours <<<"$(describe "$output")"
  printf '\n%s (%s at %s wide): against sharp default %s, over every image\n' "$output" "$format" \
    "$width" "$sharp"
  printf '%-26s %9s %6s %9s %5s %6s %6s\n' setting bytes ratio "cpu ms" ratio dist "strict"
  awk -F'\t' -v output="$output" -v sharp="$sharp" -v ours="$ours" '
    $1 != output { next }
    {
      key = $2 SUBSEP $3; bytes[key] = $4; cpu[key] = $6; dist[key] = $7
      if (!($2 in images)) { images[$2] = 1; n_images++ }
      settings[$3] = 1
    }
    END {
      for (i in images) { sharp_bytes += bytes[i, sharp]; sharp_cpu += cpu[i, sharp]; sharp_dist += dist[i, sharp] / n_images }
      for (s in settings) {
        total_bytes = 0; total_cpu = 0; mean = 0; strict = 0
        for (i in images) {
          total_bytes += bytes[i, s]; total_cpu += cpu[i, s]; mean += dist[i, s] / n_images
          if (bytes[i, s] <= bytes[i, sharp] && dist[i, s] <= dist[i, sharp]) strict++
        }
        # The equal-quality point of each family (a quality grid): its smallest output no worse
        # than sharp on average. PNG, lossless, has none.
        family = s; sub(/-q[0-9]+/, "", family)
        if (s ~ /-q[0-9]/ && mean <= sharp_dist &&
            (!(family in best_bytes) || total_bytes < best_bytes[family])) {
          best_bytes[family] = total_bytes; best[family] = s
        }
        line[s] = sprintf("%-26s %9d %6.3f %9.1f %5.2f %6.3f %4d/%d", s, total_bytes,
                          total_bytes / sharp_bytes, total_cpu, total_cpu / sharp_cpu, mean, strict, n_images)
        passes[s] = total_bytes <= sharp_bytes && mean <= sharp_dist
      }
      for (f in best) equal_point[best[f]] = 1
      for (s in settings) {
        why = ""
        if (s == sharp) why = why " sharp"
        if (s == ours) why = why " ours-now"
        if (passes[s] && s != sharp) why = why " passes"
        if (s in equal_point) why = why " equal-quality-point"
        if (why != "") print line[s] why
      }
    }' "$results" | sort -k4,4n
done
echo
echo "encoder-settings: every row is in $results"
