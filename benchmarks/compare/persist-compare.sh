#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# persist-compare.sh: end-to-end ingest of the sample images to a throw-away S3 server on
# 127.0.0.1 (Ceph radosgw, as the tests use), libpindeck (persist_benchmark) against sharp +
# @aws-sdk/client-s3 in Node (persist-node/persist.mjs), with 1 and then 2 images in flight.
#
# Prints, from one run, one row per peer: images per second, CPU time per image (user+sys of the
# whole process over its images, start-up included) and peak resident memory (/usr/bin/time), each
# with its ratio to ours (above 1 means we are faster or smaller). Each peer ingests the five
# sample images twice per run. The radosgw's own CPU is not counted for either.
#
# sharp runs at its default concurrency, as its users get it, and at one libvips thread per
# pipeline (sharp.concurrency(1)). Where its default already is one thread (glibc Linux without
# jemalloc, as on Debian), the second run is at one thread per core instead (sharp.concurrency
# (nproc)), its default elsewhere.
#
#   benchmarks/compare/persist-compare.sh [BUILD_DIR]
#
# Environment: SHARP_VERSION, the npm version or range of sharp (default: latest); RGW_PORT and
# MON_PORT, the ports of the radosgw it starts (default 7680 and 3500). The Node side lives in
# BUILD_DIR/persist-compare: the AWS SDK as persist-node/package-lock.json pins it (npm ci, again
# only when the lock changes), sharp installed beside it, again only when the version asked for
# changes. Takes about two minutes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(realpath -m "${1:-$root/build}")
here=$root/benchmarks/compare/persist-node
node_dir=$build/persist-compare

# shellcheck source=install-sharp.sh
source "$root/benchmarks/compare/install-sharp.sh"

mkdir -p "$node_dir"
if [ ! -d "$node_dir/node_modules/@aws-sdk/client-s3" ] ||
   ! cmp -s "$here/package-lock.json" "$node_dir/installed-lock.json"; then
  cp "$here/package.json" "$here/package-lock.json" "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund >&2)
  cp "$here/package-lock.json" "$node_dir/installed-lock.json"
fi
install_sharp "$node_dir"
# Next to its node_modules: an ES module finds its imports from where it lies, not from NODE_PATH.
cp "$here/persist.mjs" "$node_dir/"
cmake --build "$build" --target persist_benchmark >&2
bench=$build/benchmarks/pipeline/persist_benchmark

# node_eval EXPRESSION [ARG]: evaluates EXPRESSION in Node beside the installed packages.
node_eval() { (cd "$node_dir" && node -p "$@"); }
version_of() { node_eval 'require(process.argv[1]).version' "$node_dir/node_modules/$1/package.json"; }
json_field() { node_eval 'JSON.parse(require("fs").readFileSync(process.argv[1]))'"$2" "$1"; }

# sharp's runs: "default" (no sharp.concurrency call), then the other thread count (see the header).
sharp_modes=(default)
if [ "$(node_eval "require('sharp').concurrency()")" != 1 ]; then
  sharp_modes+=(1)
elif [ "$(nproc)" -gt 1 ]; then
  sharp_modes+=("$(nproc)")
fi

export CEPH_S3_DIR=$build/bench-s3 RGW_PORT=${RGW_PORT:-7680} MON_PORT=${MON_PORT:-3500}
export S3_BUCKET=pindeck-bench
"$root/tests/s3-server/start-rgw.sh" > /dev/null
trap '"$root/tests/s3-server/stop-rgw.sh" --purge > /dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1091
source "$CEPH_S3_DIR/s3.env"

images=("$root"/tests/data/images/*.{jpg,png,webp})
rounds=2  # persist_benchmark's Iterations(2) over the same sample images: the same work

# run NAME COMMAND...: runs the command under /usr/bin/time, keeps its output in $node_dir/NAME.out
# and "peak-RSS-KiB user-s sys-s" in $node_dir/NAME.time. Its messages (the AWS SDK warns about
# Node versions on every start) are shown only if it fails.
run() {
  local name=$1; shift
  if ! /usr/bin/time -f '%M %U %S' -o "$node_dir/$name.time" "$@" > "$node_dir/$name.out" \
         2> "$node_dir/$name.err"; then
    cat "$node_dir/$name.err" >&2
    exit 1
  fi
}
mib() { awk '{ printf "%.0f", $1 / 1024 }' "$node_dir/$1.time"; }
# cpu NAME IMAGES: CPU milliseconds per image.
cpu() { awk -v n="$2" '{ printf "%.0f", ($2 + $3) * 1000 / n }' "$node_dir/$1.time"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
columns() { printf '%-40s %9s %7s %11s %7s %9s %7s\n' "$@"; }

echo "sharp $(version_of sharp) (libvips $(node_eval "require('sharp').versions.vips"))" \
  "+ @aws-sdk/client-s3 $(version_of @aws-sdk/client-s3) vs libpindeck (libvips" \
  "$(pkg-config --modversion vips)), $(nproc) cores, radosgw on $S3_ENDPOINT," \
  "$((${#images[@]} * rounds)) images per run"
echo "ratios: ours / peer for images/s, peer / ours for CPU and memory: above 1 means we are better"
for n in 1 2; do
  echo
  columns "$n in flight" images/s ratio "CPU ms/img" ratio "peak MiB" ratio
  run ours "$bench" --benchmark_filter="in_flight:$n/" --benchmark_format=json
  ours_ips=$(json_field "$node_dir/ours.out" '.benchmarks[0].images_per_second')
  if ! [[ $ours_ips =~ ^[0-9.e+-]+$ ]]; then  # a skipped benchmark (e.g. S3 refused) still exits 0
    echo "persist-compare: persist_benchmark measured nothing:" >&2
    cat "$node_dir/ours.out" "$node_dir/ours.err" >&2
    exit 1
  fi
  ours_images=$(($(json_field "$node_dir/ours.out" '.benchmarks[0].iterations') * ${#images[@]}))
  columns "  libpindeck" "$(printf %.2f "$ours_ips")" "" "$(cpu ours "$ours_images")" "" "$(mib ours)" ""
  for mode in "${sharp_modes[@]}"; do
    concurrency=()
    [ "$mode" = default ] || concurrency=(--concurrency "$mode")
    run node node "$node_dir/persist.mjs" "${concurrency[@]}" "$n" "$rounds" "${images[@]}"
    threads=$(json_field "$node_dir/node.out" .concurrency)
    label="sharp + AWS SDK, $threads thread"
    [ "$threads" = 1 ] || label+=s
    [ "$mode" != default ] || label+=" (default)"
    node_ips=$(json_field "$node_dir/node.out" .imagesPerSecond)
    node_images=$(json_field "$node_dir/node.out" .images)
    columns "  $label" "$(printf %.2f "$node_ips")" "$(ratio "$ours_ips" "$node_ips")" \
      "$(cpu node "$node_images")" "$(ratio "$(cpu node "$node_images")" "$(cpu ours "$ours_images")")" \
      "$(mib node)" "$(ratio "$(mib node)" "$(mib ours)")"
  done
done
