#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# compare.sh: libpindeck's derivative set against sharp's, side by side from one run.
#
# Installs sharp from npm into <build>/compare (sharp ships prebuilt libvips in its npm packages),
# builds derive_files, then for every image of tests/data/images makes the same four outputs
# (preview 640 in the original's format: jpg q80 / png / webp q78; small/medium/large WebP q82 at
# 320/768/1280) with both, REPEAT times each, and prints the median time per image, the ratio
# (sharp / ours: above 1 means we are faster), the CPU time per image (user+sys of the whole
# process over REPEAT images, start-up included: steadier than wall time on a busy machine) and
# each process's peak resident memory (/usr/bin/time). Then both process all images two at a time.
#
#   benchmarks/compare/compare.sh [--repeat N] [--build DIR] [-- extra derive_files options]
#
# Environment: SHARP_VERSION (default 0.35.5, the current release).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$root/benchmarks/compare
build=$root/build
repeat=5
ours_options=()
while [ $# -gt 0 ]; do
  case $1 in
    --repeat) repeat=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --) shift; ours_options=("$@"); break ;;
    *) echo "usage: $0 [--repeat N] [--build DIR] [-- derive_files options]" >&2; exit 2 ;;
  esac
done

scratch=$build/compare
mkdir -p "$scratch"
sharp_version=${SHARP_VERSION:-0.35.5}
if ! NODE_PATH=$scratch/node_modules node -e "require('sharp')" 2>/dev/null; then
  echo "compare: installing sharp@$sharp_version into $scratch" >&2
  if ! npm install --prefix "$scratch" --no-audit --no-fund --no-save "sharp@$sharp_version" >&2 ||
     ! NODE_PATH=$scratch/node_modules node -e "require('sharp')"; then
    echo "compare: sharp did not install or does not load (its prebuilt libvips comes from npm" \
         "packages @img/sharp-*; a blocked download ends here)" >&2
    exit 1
  fi
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "compare: $build is not configured; run scripts/build.sh first (or pass --build DIR)" >&2
  exit 1
fi
cmake --build "$build" --target derive_files >&2
ours=$build/benchmarks/media/derive_files
sharp=(env NODE_PATH="$scratch/node_modules" node "$here/sharp_derive.cjs")

images=()
for f in "$root"/tests/data/images/*.{jpg,png,webp}; do images+=("$f"); done

# run NAME COMMAND...: runs the command under /usr/bin/time, keeps its output in $scratch/NAME.out
# and "peak-RSS-KiB user-s sys-s" in $scratch/NAME.time.
run() {
  local name=$1; shift
  /usr/bin/time -f '%M %U %S' -o "$scratch/$name.time" "$@" > "$scratch/$name.out"
}

# median FILE.out IMAGE: median milliseconds of the lines for IMAGE.
median() {
  grep -F "$2"$'\t' "$1" | cut -f2 | cut -d' ' -f1 | sort -n |
    awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

mib() { awk '{ printf "%.0f", $1 / 1024 }' "$1"; }
# cpu FILE.time IMAGES: CPU milliseconds per image.
cpu() { awk -v n="$2" '{ printf "%.0f", ($2 + $3) * 1000 / n }' "$1"; }

echo "sharp $sharp_version ($(NODE_PATH=$scratch/node_modules node -p "'libvips ' + require('sharp').versions.vips")) vs libpindeck (libvips $(pkg-config --modversion vips)), $(nproc) cores, median of $repeat"
[ ${#ours_options[@]} -gt 0 ] && echo "derive_files options: ${ours_options[*]}"
printf '%-26s %9s %9s %7s %9s %9s %9s %9s\n' image "ours ms" "sharp ms" ratio "ours CPU" "sharp CPU" "ours MiB" "sharp MiB"
for image in "${images[@]}"; do
  name=$(basename "$image")
  run ours "$ours" --repeat "$repeat" "${ours_options[@]}" "$image"
  run sharp "${sharp[@]}" --repeat "$repeat" "$image"
  o=$(median "$scratch/ours.out" "$image")
  s=$(median "$scratch/sharp.out" "$image")
  printf '%-26s %9.1f %9.1f %6.2fx %9s %9s %9s %9s\n' "$name" "$o" "$s" "$(awk -v o="$o" -v s="$s" 'BEGIN { print s / o }')" \
    "$(cpu "$scratch/ours.time" "$repeat")" "$(cpu "$scratch/sharp.time" "$repeat")" \
    "$(mib "$scratch/ours.time")" "$(mib "$scratch/sharp.time")"
done

# Two images at a time: every image once per round, two in flight, wall time for the lot.
run ours2 "$ours" --jobs 2 --repeat "$repeat" "${ours_options[@]}" "${images[@]}"
run sharp2 "${sharp[@]}" --jobs 2 --repeat "$repeat" "${images[@]}"
o=$(grep '^total' "$scratch/ours2.out" | cut -f2 | cut -d' ' -f1)
s=$(grep '^total' "$scratch/sharp2.out" | cut -f2 | cut -d' ' -f1)
per_image() { awk -v t="$1" -v n="$((${#images[@]} * repeat))" 'BEGIN { printf "%.1f", t / n }'; }
count=$((${#images[@]} * repeat))
printf '%-26s %9s %9s %6.2fx %9s %9s %9s %9s\n' "two at a time, per image" "$(per_image "$o")" "$(per_image "$s")" \
  "$(awk -v o="$o" -v s="$s" 'BEGIN { print s / o }')" "$(cpu "$scratch/ours2.time" "$count")" \
  "$(cpu "$scratch/sharp2.time" "$count")" "$(mib "$scratch/ours2.time")" "$(mib "$scratch/sharp2.time")"
