#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# install-deps.sh [GROUP...]: installs from Debian's archive the system packages of the groups
# named (all of them when none is), only those missing; silent and quick when nothing is.
#   build  what libpindeck, the pindeck command, the examples (the C one reads JSON with jansson)
#          and the development tree (its GoogleTest and Google Benchmark suites) compile with
#          (libpq for the PostgreSQL catalog);
#          Node and the npm packages of the Node addon (bindings/node) and the Discord bot
#          example, from their lock files
#   test   what the test suite runs: the Ceph packages of its S3 server, PostgreSQL (its catalog
#          server), curl, jq, openssl, sqlite3 (to write records as an older version did), chromium
#          (renders the contact sheet headless), pytest (the Python binding's tests), libvips-tools
#          (vips makes the scale-out test's small images)
#   fuzz   clang and the libFuzzer runtime
#   dev    clang-format, and hyperfine and Node for the benchmark comparisons
set -euo pipefail

packages_of() {
  case "$1" in
    build) echo build-essential cmake ninja-build pkg-config \
                libvips-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libboost1.81-dev \
                nlohmann-json3-dev libpugixml-dev libcli11-dev libicu-dev libzip-dev libjansson-dev \
                libpq-dev libgtest-dev libgmock-dev libbenchmark-dev ;;
    test) echo radosgw ceph-mon ceph-osd postgresql curl jq openssl sqlite3 chromium \
               python3-pytest libvips-tools ;;
    fuzz) echo clang libclang-rt-14-dev ;;
    dev) echo clang-format hyperfine awscli ;;
    *) echo "install-deps: unknown group '$1' (build, test, fuzz, dev)" >&2; return 2 ;;
  esac
}

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test fuzz dev)
wanted=()
for group in "${groups[@]}"; do
  listed=$(packages_of "$group")
  read -r -a names <<< "$listed"
  wanted+=("${names[@]}")
done

# One dpkg query for all of them; packages dpkg has never heard of are simply not listed.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${wanted[@]}" 2>/dev/null |
  awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }' || true)
missing=()
for p in "${wanted[@]}"; do
  grep -qxF "$p" <<< "$installed" || missing+=("$p")
done
# Node may come from elsewhere than Debian (its headers then come with it); Debian's keeps them in
# libnode-dev.
if [[ " ${groups[*]} " == *" build "* ]] && ! command -v npm > /dev/null 2>&1; then
  missing+=(nodejs libnode-dev npm)
elif [[ " ${groups[*]} " == *" dev "* ]] && ! command -v npm > /dev/null 2>&1; then
  missing+=(nodejs npm)
fi

# The npm packages of each Node project, exactly as its lock file says, only when the lock file is
# newer than what is installed.
install_npm_packages() {
  local root project
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  for project in bindings/node examples/discord-bot; do
    [ -f "$root/$project/package-lock.json" ] || continue
    if [ ! -f "$root/$project/node_modules/.package-lock.json" ] ||
      [ "$root/$project/package-lock.json" -nt "$root/$project/node_modules/.package-lock.json" ]; then
      echo "install-deps: npm packages of $project" >&2
      (cd "$root/$project" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
    fi
  done
}

if [ ${#missing[@]} -eq 0 ]; then
  [[ " ${groups[*]} " == *" build "* ]] && install_npm_packages
  exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}" >&2
if ! apt-cache policy libvips-dev 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  $SUDO apt-get update -q >&2
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
[[ " ${groups[*]} " == *" build "* ]] && install_npm_packages
exit 0
