#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# install-and-consume.sh BUILD_DIR CONSUMER_SRC WORK_DIR IMAGE
# Installs the build into WORK_DIR/prefix, then builds consumers against it: a C one and a C++ one
# (which uploads IMAGE with async_upload_file) through find_package(pindeck CONFIG), and the C one
# again through pkg-config. Each must run, and use the installed library.
set -euo pipefail
build=$1 src=$2 work=$3 image=$4
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"

cmake -S "$src" -B "$work/by-cmake" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
cmake --build "$work/by-cmake" > "$work/build.log"

pc=$(dirname "$(find "$work/prefix" -name pindeck.pc | head -n 1)")
libdir=$(realpath "$(PKG_CONFIG_PATH=$pc pkg-config --variable=libdir pindeck)")
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror "$src/consumer.c" -o "$work/by-pkg-config" \
  $(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs pindeck)

uses_installed_library() {
  # grep reads all of ldd's output (no -q), so pipefail never sees ldd die of SIGPIPE.
  LD_LIBRARY_PATH=$libdir ldd "$1" | grep "$libdir/libpindeck.so" > /dev/null ||
    { echo "$1 is not linked with the installed library" >&2; exit 1; }
}

for exe in "$work/by-cmake/consumer" "$work/by-pkg-config"; do
  out=$(LD_LIBRARY_PATH=$libdir "$exe")
  echo "$exe: $out"
  [[ "$out" == "pindeck "* ]] || { echo "unexpected output from $exe" >&2; exit 1; }
  uses_installed_library "$exe"
done

exe=$work/by-cmake/consumer_async
out=$(LD_LIBRARY_PATH=$libdir "$exe" "$work/data" "$image")
echo "$exe: $out"
read -r sha size dimensions <<< "$out"
expected_sha=$(sha256sum "$image" | cut -d' ' -f1)
[ "$sha" = "$expected_sha" ] || { echo "record sha256 $sha, file's is $expected_sha" >&2; exit 1; }
[ "$size" = "$(stat -c %s "$image")" ] || { echo "record byteSize $size is not the file's" >&2; exit 1; }
[[ "$dimensions" =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || { echo "bad dimensions $dimensions" >&2; exit 1; }
uses_installed_library "$exe"
