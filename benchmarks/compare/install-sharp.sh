# SPDX-License-Identifier: Apache-2.0
# Sourced by compare.sh and persist-compare.sh.
# shellcheck shell=bash

# install_sharp DIR: makes DIR/node_modules/sharp the release SHARP_VERSION names (default: the
# latest), asking npm which one that is and installing it only if DIR holds another. Messages are
# prefixed with the calling script's name.
install_sharp() {
  local dir spec=${SHARP_VERSION:-latest} me wanted installed
  dir=$(realpath -m "$1")
  me=$(basename "$0" .sh)
  wanted=$(npm view "sharp@$spec" version 2>/dev/null | tail -n 1 | awk '{ print $NF }' | tr -d "'") || true
  installed=$(node -p 'require(process.argv[1]).version' "$dir/node_modules/sharp/package.json" 2>/dev/null) || true
  if [ -z "$wanted" ]; then
    [ -n "$installed" ] || { echo "$me: npm knows no sharp@$spec (or cannot be reached)" >&2; exit 1; }
    echo "$me: cannot ask npm for sharp@$spec; using the installed $installed" >&2
  elif [ "$installed" != "$wanted" ]; then
    echo "$me: installing sharp@$wanted into $dir" >&2
    npm install --prefix "$dir" --no-audit --no-fund --no-save "sharp@$wanted" >&2
  fi
  if ! (cd "$dir" && node -e "require('sharp')"); then
    echo "$me: sharp does not load (its prebuilt libvips comes from npm packages @img/sharp-*;" \
         "a blocked download ends here)" >&2
    exit 1
  fi
}
