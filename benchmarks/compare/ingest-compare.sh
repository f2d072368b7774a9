#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ingest-compare.sh: URL ingest (`pindeck import URL`) against `curl -o FILE URL && pindeck upload
# FILE` of the same images, side by side from one run (issue 10: the fetch path should add no more
# than 10% to the upload path, and its peak memory must not grow with the image's size).
#
# serve_files serves the five sample images of tests/data/images and a 40 MiB PNG (made once in a
# temporary directory: random pixels, so that it does not compress, just under the fetch limit
# FetchSettings::max_bytes = 40 MiB) on 127.0.0.1. For each image hyperfine times, in the same
# run, RUNS runs after one warm-up, each on a fresh data directory made in --prepare:
#   A: curl -s -o FILE URL && pindeck --data-dir D upload FILE
#   B: pindeck --data-dir D import --allow-private-network URL
# Both record and stage the image, then persist it in the background of the process to the local
# object store (no S3 endpoint in the environment: no server needed); a job the workers have
# claimed is finished before the process exits (WorkerPool::stop), and the job is claimed as soon
# as it is stored: the same work in both, so the "whole" times are compared as they are. That
# work (derivatives) is most of the time, so the "record" columns time the part that differs,
# from the start to the printed record line, A and B alternating, RUNS pairs after one warm-up
# pair. The table gives medians, B/A (goal <= 1.10 for both) and the peak RSS of one
# more B and of one `upload` of the same file (/usr/bin/time -v; the persistence in the process
# included). Builds nothing: it takes the binaries from a build directory.
#
#   benchmarks/compare/ingest-compare.sh [--runs N] [BUILD_DIR | PINDECK SERVE_FILES]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=10
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    *) break ;;
  esac
done
case $# in
  0 | 1)
    build=${1:-$root/build}
    pindeck=$build/examples/pindeck
    serve_files=$build/tests/support/serve_files
    ;;
  2) pindeck=$1 serve_files=$2 ;;
  *) echo "usage: $0 [--runs N] [BUILD_DIR | PINDECK SERVE_FILES]" >&2; exit 2 ;;
esac
for tool in "$pindeck" "$serve_files"; do
  [ -x "$tool" ] || { echo "ingest-compare: $tool is missing; build targets pindeck_cli and serve_files" >&2; exit 1; }
done
for tool in hyperfine curl python3 /usr/bin/time; do
  command -v "$tool" > /dev/null || { echo "ingest-compare: $tool is not installed" >&2; exit 1; }
done
# The local object store: an endpoint in the environment (PersistenceConfig::from_env) would send
# persistence to a server.
for var in $(compgen -e | grep -E '^(PINDECK_S3_|AWS_ENDPOINT_URL)' || true); do unset "$var"; done

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/served"
cp "$root"/tests/data/images/*.{jpg,png,webp} "$work/served/"

# 4800 x 2900 random RGB pixels, stored uncompressed (zlib level 0): about 41,766,000 bytes, a
# real PNG under the 41,943,040-byte limit.
python3 - "$work/served/noise-4800x2900.png" <<'PY'
import random, struct, sys, zlib
width, height = 4800, 2900
rng = random.Random(10)
compress = zlib.compressobj(0)
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
with open(sys.argv[1], "wb") as out:
    out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
    pixels = bytearray()
    for _ in range(height):
        pixels += b"\x00" + rng.randbytes(width * 3)
    out.write(chunk(b"IDAT", compress.compress(bytes(pixels)) + compress.flush()))
    out.write(chunk(b"IEND", b""))
PY
limit=$((40 << 20))
big_size=$(stat -c %s "$work/served/noise-4800x2900.png")
[ "$big_size" -lt "$limit" ] || { echo "ingest-compare: the large image is $big_size bytes, over the $limit limit" >&2; exit 1; }

"$serve_files" "$work/served" > "$work/server.out" &
server_pid=$!
for _ in $(seq 100); do
  [ -s "$work/server.out" ] && break
  sleep 0.05
done
port=$(head -n 1 "$work/server.out")
[ -n "$port" ] || { echo "ingest-compare: serve_files printed no port" >&2; exit 1; }

# record_ms IMAGE URL: the median milliseconds from the start of A and of B to the moment the
# command prints its record line (stdout on a pseudo-terminal, so the line is not held in a buffer
# until exit): the fetch or upload, staging and recording, without the persistence that follows
# in the same process. A and B alternate, one warm-up pair first.
record_ms() {
  python3 - "$runs" "$pindeck" "$work" "$1" "$2" <<'PY'
import os, pty, shutil, statistics, subprocess, sys, time
runs, pindeck, work, image, url = int(sys.argv[1]), *sys.argv[2:]
file = os.path.join(work, "a", os.path.basename(image))
def to_record(data_dir, command, before=None):
    shutil.rmtree(data_dir, ignore_errors=True)
    os.makedirs(os.path.dirname(file), exist_ok=True)
    primary, secondary = pty.openpty()
    start = time.perf_counter()
    if before:
        subprocess.run(before, check=True)
    process = subprocess.Popen([pindeck, "--data-dir", data_dir, *command], stdout=secondary,
                               stderr=subprocess.DEVNULL)
    os.close(secondary)
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(primary, 1)
        if not chunk:
            break
        line += chunk
    elapsed = time.perf_counter() - start
    try:
        while os.read(primary, 4096):
            pass
    except OSError:
        pass  # the pseudo-terminal ends with EIO once the process has closed it
    os.close(primary)
    if process.wait() != 0 or not line.strip():
        sys.exit("ingest-compare: %s %s failed" % (command[0], url))
    return elapsed * 1000
a, b = [], []
for run in range(runs + 1):
    ms_a = to_record(os.path.join(work, "a", "data"), ["upload", file],
                     ["curl", "-s", "-f", "-o", file, url])
    ms_b = to_record(os.path.join(work, "b"), ["import", "--allow-private-network", url])
    if run:
        a.append(ms_a)
        b.append(ms_b)
print("%.1f %.1f" % (statistics.median(a), statistics.median(b)))
PY
}

peak_mib() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{ printf "%.1f", $1 / 1024 }'; }
# median_ms JSON INDEX: the median of hyperfine's INDEXth command (from 0), in milliseconds.
median_ms() {
  python3 -c 'import json, sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"] * 1000))' "$1" "$2"
}

echo "ingest-compare: hyperfine $(hyperfine --version | cut -d' ' -f2), $(nproc) cores, median of $runs runs after 1 warm-up, local object store"
echo "A = curl -s -o FILE URL && pindeck upload FILE;  B = pindeck import --allow-private-network URL"
echo "whole: hyperfine, start to exit; both persist the image in the background of the process"
echo "  before they exit (the same work each), compared as they are"
echo "record: start to the printed record line (fetch or upload, staging, recording), A and B"
echo "  alternating; goal B/A <= 1.10 for both; peak RSS of one B and of one upload of the file"
printf '%-26s %5s %8s %8s %6s %8s %8s %6s %4s %7s %7s\n' image MiB "A rec" "B rec" B/A \
  "A whole" "B whole" B/A goal "B peak" "up peak"
printf '%-26s %5s %8s %8s %6s %8s %8s %6s %4s %7s %7s\n' "" "" ms ms "" ms ms "" "" MiB MiB
images=("$work"/served/*)
small_name='' small_peak='' big_peak=''
for image in "${images[@]}"; do
  name=$(basename "$image")
  url=http://127.0.0.1:$port/$name
  a=$work/a b=$work/b
  hyperfine --runs "$runs" --warmup 1 --style none --export-json "$work/$name.json" \
    --prepare "rm -rf '$a' && mkdir '$a'" \
    "curl -s -f -o '$a/$name' '$url' && '$pindeck' --data-dir '$a/data' upload '$a/$name'" \
    --prepare "rm -rf '$b'" \
    "'$pindeck' --data-dir '$b' import --allow-private-network '$url'" > /dev/null
  ms_a=$(median_ms "$work/$name.json" 0)
  ms_b=$(median_ms "$work/$name.json" 1)
  read -r rec_a rec_b < <(record_ms "$image" "$url")
  rm -rf "$b"
  /usr/bin/time -v "$pindeck" --data-dir "$b" import --allow-private-network "$url" \
    > /dev/null 2> "$work/b.time"
  rm -rf "$a" && mkdir "$a"
  /usr/bin/time -v "$pindeck" --data-dir "$a/data" upload "$image" > /dev/null 2> "$work/a.time"
  peak_b=$(peak_mib "$work/b.time")
  ratio=$(awk -v a="$ms_a" -v b="$ms_b" 'BEGIN { printf "%.2f", b / a }')
  rec_ratio=$(awk -v a="$rec_a" -v b="$rec_b" 'BEGIN { printf "%.2f", b / a }')
  goal=$(awk -v r="$ratio" -v q="$rec_ratio" 'BEGIN { print (r <= 1.10 && q <= 1.10) ? "ok" : "OVER" }')
  printf '%-26s %5.1f %8s %8s %6s %8s %8s %6s %4s %7s %7s\n' "$name" \
    "$(awk -v s="$(stat -c %s "$image")" 'BEGIN { print s / 1048576 }')" "$rec_a" "$rec_b" \
    "$rec_ratio" "$ms_a" "$ms_b" "$ratio" "$goal" "$peak_b" "$(peak_mib "$work/a.time")"
  if [ "$image" = "$work/served/noise-4800x2900.png" ]; then
    big_peak=$peak_b
  elif [ -z "$small_name" ] || [ "$(stat -c %s "$image")" -lt "$(stat -c %s "$work/served/$small_name")" ]; then
    small_name=$name small_peak=$peak_b
  fi
done
awk -v big="$big_peak" -v small="$small_peak" -v name="$small_name" -v size="$big_size" 'BEGIN {
  printf "peak RSS of B: %.1f MiB for the %.1f MiB body against %.1f MiB for %s: %+.1f MiB (goal: far below the body)\n",
    big, size / 1048576, small, name, big - small }'
