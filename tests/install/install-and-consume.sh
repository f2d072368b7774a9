#!/usr/bin/env bash
# install-and-consume.sh BUILD_DIR CONSUMER_SRC WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
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

for exe in "$work/by-cmake/consumer" "$work/by-pkg-config"; do
  out=$(LD_LIBRARY_PATH=$libdir "$exe")
  echo "$exe: $out"
  [[ "$out" == "pindeck "* ]] || { echo "unexpected output from $exe" >&2; exit 1; }
  # grep reads all of ldd's output (no -q), so pipefail never sees ldd die of SIGPIPE.
  LD_LIBRARY_PATH=$libdir ldd "$exe" | grep "$libdir/libpindeck.so" > /dev/null ||
    { echo "$exe is not linked with the installed library" >&2; exit 1; }
done
