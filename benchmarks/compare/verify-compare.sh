#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# verify-compare.sh [BUILD_DIR] [PEER_OBJECTS]: verify of 1,000 persisted records (5,000 objects)
# on a throw-away radosgw on 127.0.0.1, libpindeck (Client::verify, benchmarks/pipeline/
# verify_benchmark) against `aws s3api head-object` in a loop over PEER_OBJECTS (default 50) of
# the same objects (s5cmd when installed, which takes a list in one process), printed side by side
# from one run: objects checked per second and peak RSS (/usr/bin/time -v). The AWS CLI starts a
# process per object, which is what a shell loop over it costs; its rate does not depend on how
# many objects the loop covers, so a sample of them is timed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
peer_objects=${2:-50}
bench=$build/benchmarks/pipeline/verify_benchmark
[ -x "$bench" ] || cmake --build "$build" --target verify_benchmark >&2
# Debian's awscli package (scripts/install-deps.sh dev) before whatever else PATH has.
aws=/usr/bin/aws
[ -x "$aws" ] || aws=$(command -v aws) || { echo "verify-compare: install awscli (scripts/install-deps.sh dev)" >&2; exit 1; }

export CEPH_S3_DIR=$build/bench-verify-s3 RGW_PORT=${RGW_PORT:-7690} MON_PORT=${MON_PORT:-3510}
export S3_BUCKET=pindeck-verify-bench
work=$(mktemp -d)
"$root/tests/s3-server/start-rgw.sh" > /dev/null
trap '"$root/tests/s3-server/stop-rgw.sh" --purge > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
# shellcheck disable=SC1091
source "$CEPH_S3_DIR/s3.env"
peak_mib() { echo $(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$1") / 1024 )); }

VERIFY_KEYS_FILE=$work/keys TMPDIR=$work /usr/bin/time -v "$bench" --benchmark_format=json \
  > "$work/ours.json" 2> "$work/ours.time"
ours_rss=$(peak_mib "$work/ours.time")

export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
export AWS_DEFAULT_REGION=$S3_REGION AWS_EC2_METADATA_DISABLED=true
head -n "$peer_objects" "$work/keys" > "$work/sample"
if command -v s5cmd > /dev/null; then
  peer=s5cmd
  sed "s|^|ls s3://$S3_BUCKET/|" "$work/sample" > "$work/commands"
  start=$(date +%s.%N)
  /usr/bin/time -v s5cmd --endpoint-url "$S3_ENDPOINT" run "$work/commands" > /dev/null \
    2> "$work/peer.time"
else
  peer=aws-cli
  start=$(date +%s.%N)
  /usr/bin/time -v bash -c 'while read -r key; do
      "$3" --endpoint-url "$0" s3api head-object --bucket "$1" --key "$key" > /dev/null
    done < "$2"' "$S3_ENDPOINT" "$S3_BUCKET" "$work/sample" "$aws" 2> "$work/peer.time"
fi
end=$(date +%s.%N)
peer_rss=$(peak_mib "$work/peer.time")
peer_rate=$(python3 -c 'import sys; print(int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2])))' \
  "$(wc -l < "$work/sample")" "$start" "$end")

printf '%-24s %14s %12s\n' checker objects/s peak_RSS_MiB
python3 - "$work/ours.json" "$ours_rss" "$peer" "$peer_rate" "$peer_rss" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["benchmarks"]
peer, peer_rate, peer_rss = sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
for b in ours:
    name = "libpindeck " + b["name"].split("/")[1]
    print("%-24s %14.1f %12s" % (name, b["objects_per_second"], sys.argv[2] + "*"))
print("%-24s %14.1f %12d" % (peer, peer_rate, peer_rss))
best = max(b["objects_per_second"] for b in ours)
print("ratio (best in_flight)   %.1fx the objects/s of %s" % (best / peer_rate, peer))
print("* peak RSS of the whole benchmark program, making the 1,000 records included")
PY
