# SPDX-License-Identifier: Apache-2.0
# lib.sh: what the pindeck command's shell tests share. Sourced, after they set $pindeck:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE STDERR_PART -- ARGS...: `pindeck ARGS...` exits with CODE and says STDERR_PART
# (its output is left in out.txt and err.txt).
expect_exit() {
  local code=$1 part=$2
  shift 3
  set +e
  "$pindeck" "$@" > out.txt 2> err.txt
  local rc=$?
  set -e
  [ "$rc" = "$code" ] || fail "pindeck $* exited $rc, expected $code; stderr: $(cat err.txt)"
  grep -qF -- "$part" err.txt || fail "pindeck $* said '$(cat err.txt)', expected '$part'"
}

# in_scratch_dir: makes a temporary directory (removed on exit) the current one; $work names it.
in_scratch_dir() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
}

# use_local_store: the embedded local store, whatever the environment says.
use_local_store() {
  unset PINDECK_S3_ENDPOINT AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL PINDECK_S3_BUCKET
}
