#!/usr/bin/env bash
# Installs every system package libpindeck builds, tests and benchmarks with, from Debian's
# archive. Idempotent: packages already present are not fetched again.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  libvips-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libboost1.81-dev
  nlohmann-json3-dev libpugixml-dev libcli11-dev libicu-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl hyperfine jq openssl
  radosgw ceph-mon ceph-osd
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node (for the N-API binding and the sharp comparison) may come from elsewhere than Debian.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}" >&2
if ! apt-cache policy libvips-dev 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  $SUDO apt-get update -q >&2
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
