#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# stop-postgres.sh - stop exactly the server that start-postgres.sh started, by the PID it recorded
# in $PG_DIR/pids (never by name). A PID whose executable is no longer the one recorded (PID reused)
# is left alone.
#   --purge   also delete the cluster's data under $PG_DIR (data/run/log/pg.env)
# Settings: PG_DIR (default /tmp/pgtest), STOP_GRACE seconds per signal (default 20).
set -uo pipefail
DIR=$(realpath -m "${PG_DIR:-/tmp/pgtest}")
PIDS=$DIR/pids
GRACE=${STOP_GRACE:-20}
purge=0
[ "${1:-}" = --purge ] && purge=1

running() {  # running PID EXE -> 0 if PID is alive (not a zombie) and runs EXE
  [ -d "/proc/$1" ] || return 1
  [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ] || return 1
  [[ "$(readlink "/proc/$1/exe" 2>/dev/null)" == "$2"* ]]
}
# signal_and_wait PID EXE SIGNAL SECONDS -> 0 once the process has gone
signal_and_wait() {
  kill "-$3" "$1" 2>/dev/null
  for _ in $(seq 1 $(($4 * 10))); do running "$1" "$2" || return 0; sleep 0.1; done
  ! running "$1" "$2"
}

if [ -s "$PIDS" ]; then
  while read -r name pid exe; do
    [ -n "${pid:-}" ] && [ -n "${exe:-}" ] || continue
    if ! running "$pid" "$exe"; then
      echo "stop-postgres: $name (pid $pid) not running"
      continue
    fi
    # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to disconnect);
    # SIGQUIT its immediate one. The server's own processes exit with the postmaster.
    signal_and_wait "$pid" "$exe" INT "$GRACE" ||
      { echo "stop-postgres: $name (pid $pid) still running ${GRACE}s after SIGINT, sending SIGQUIT"
        signal_and_wait "$pid" "$exe" QUIT "$GRACE"; } ||
      { echo "stop-postgres: $name (pid $pid) ignored SIGQUIT, sending SIGKILL"
        signal_and_wait "$pid" "$exe" KILL 5; }
    running "$pid" "$exe" && echo "stop-postgres: $name (pid $pid) STILL RUNNING" ||
      echo "stop-postgres: stopped $name (pid $pid)"
  done < "$PIDS"
  rm -f "$PIDS"
else
  echo "stop-postgres: nothing recorded in $PIDS"
fi

if [ "$purge" = 1 ]; then
  rm -rf "$DIR/data" "$DIR/run" "$DIR/log" "$DIR/pg.env"
  echo "stop-postgres: purged cluster data under $DIR"
fi
exit 0
