#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# soak.sh [--minutes N] [pindeck_soak options...]: the soak (not in CI). One long-running
# libpindeck host uploads, removes and backfills against a throw-away radosgw this script starts
# and stops, with faults injected at random in between, and checks its invariants every minute
# (tests/soak/soak.cpp; `--help` lists the options). Default 60 minutes. Exit status non-zero when
# an invariant failed.
# soak.sh --burst [pindeck_burst_rss options...]: idle RSS before and after a burst of 1,000
# images (tests/soak/burst_rss.cpp), against the same server (--s3) or the local store.
# Settings (environment): BUILD_DIR (default build/, configured as the plain preset when new),
# RGW_PORT / MON_PORT (default 7690 / 3610), SOAK_DIR (default <build>/soak: the server's data
# and the soak's work directory, emptied at start).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath -m "${BUILD_DIR:-$root/build}")
program=pindeck_soak
if [ "${1:-}" = --burst ]; then
  program=pindeck_burst_rss
  shift
fi

if [ -f "$build/CMakeCache.txt" ]; then
  cmake --build "$build" --target "$program" > /dev/null
else
  "$root/scripts/build.sh" plain --target "$program" > /dev/null
fi

soak_dir=$(realpath -m "${SOAK_DIR:-$build/soak}")
rm -rf "$soak_dir"
mkdir -p "$soak_dir/work"
export CEPH_S3_DIR=$soak_dir/s3-server RGW_PORT=${RGW_PORT:-7690} MON_PORT=${MON_PORT:-3610}
export S3_BUCKET=pindeck-soak PINDECK_TEST_S3_ENV=$soak_dir/s3-server/s3.env
"$root/tests/s3-server/start-rgw.sh" > /dev/null
trap '"$root/tests/s3-server/stop-rgw.sh" --purge > /dev/null' EXIT

"$build/tests/soak/$program" --work "$soak_dir/work" "$@"
