#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test-pkg-config.sh BUILD_DIR SOURCE WORK_DIR IMAGE
# Builds the C example as a user outside this tree would: installs BUILD_DIR into a scratch prefix,
# compiles SOURCE with `cc $(pkg-config --cflags --libs pindeck jansson)`, and runs the program on a
# folder holding IMAGE with the local object store. It must use the installed library and print
# the image's record, succeeded.
set -euo pipefail
build=$1 source=$2 work=$3 image=$4
rm -rf "$work"
mkdir -p "$work/images"
cp "$image" "$work/images/"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"

pc=$(dirname "$(find "$work/prefix" -name pindeck.pc | head -n 1)")
export PKG_CONFIG_PATH=$pc
libdir=$(realpath "$(pkg-config --variable=libdir pindeck)")
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -pedantic -Werror "$source" -o "$work/upload_folder" \
  $(pkg-config --cflags --libs pindeck jansson)
# grep reads all of ldd's output (no -q), so pipefail never sees ldd die of SIGPIPE.
LD_LIBRARY_PATH=$libdir ldd "$work/upload_folder" | grep "$libdir/libpindeck.so" > /dev/null ||
  { echo "the example is not linked with the installed library" >&2; exit 1; }

# No S3 endpoint in the environment: the local object store in the data directory.
out=$(env -u PINDECK_S3_ENDPOINT -u AWS_ENDPOINT_URL_S3 -u AWS_ENDPOINT_URL \
  LD_LIBRARY_PATH="$libdir" "$work/upload_folder" "$work/data" "$work/images")
echo "$out"
name=${image##*/}
IFS=$'\t' read -r _ title status colours <<< "$out"
[ "$(wc -l <<< "$out")" = 1 ] && [ "$title" = "${name%.*}" ] && [ "$status" = succeeded ] &&
  [[ "$colours" =~ ^#[0-9a-f]{6} ]] || { echo "unexpected output" >&2; exit 1; }
