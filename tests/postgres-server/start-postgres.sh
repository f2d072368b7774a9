#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# start-postgres.sh - start a throw-away PostgreSQL server on 127.0.0.1, from nothing, with
# Debian's packages (the highest version under /usr/lib/postgresql).
#
# Every start is a fresh, empty cluster: the data under $PG_DIR is wiped. PostgreSQL refuses to run
# as root, so when started by root the server runs as $PG_USER; otherwise as the current user.
# The PID of the server is written to $PG_DIR/pids; stop-postgres.sh (next to this file) stops
# exactly that process.
#
# Access: a role `pindeck` (LOGIN CREATEDB, owner of the database `pindeck`) with a random password
# made at each start, over TCP with scram-sha-256. The superuser `postgres` has no password and is
# refused over TCP; it is reachable only through the unix socket in $PG_DIR/run, which only the
# server's user (and root) may open.
#
# Settings (environment, all optional):
#   PG_DIR         work dir (default /tmp/pgtest); it and its parents must be searchable by the
#                  server's user
#   PG_PORT        TCP port on 127.0.0.1 (default 5480)
#   PG_USER        system user the server runs as when started by root (default nobody)
#   START_TIMEOUT  seconds to wait for the server to accept connections (default 60)
# Output: the URL, also written to $PG_DIR/pg.env (shell, sourceable) as PINDECK_TEST_PG_URL.
set -euo pipefail

DIR=$(realpath -m "${PG_DIR:-/tmp/pgtest}")  # absolute: the server chdirs to its data dir
PG_PORT=${PG_PORT:-5480}
PG_USER=${PG_USER:-nobody}
START_TIMEOUT=${START_TIMEOUT:-60}
HOST=127.0.0.1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=$DIR/data
RUN=$DIR/run
LOGS=$DIR/log
PIDS=$DIR/pids
T0=$(date +%s%N)

log() {
  local ms=$(( ($(date +%s%N) - T0) / 1000000 ))
  printf '[start-postgres %4d.%ds] %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*" >&2
}
die() { log "ERROR: $*"; exit 1; }

[[ "$PG_PORT" =~ ^[0-9]+$ ]] && [ "$PG_PORT" -ge 1 ] && [ "$PG_PORT" -le 65535 ] ||
  die "PG_PORT must be a port number (1-65535), not '$PG_PORT'"

# ---------------------------------------------------------------- refuse to double-start
running() {  # running PID EXE -> 0 if PID is alive (not a zombie) and runs EXE
  [ -d "/proc/$1" ] || return 1
  [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ] || return 1
  [[ "$(readlink "/proc/$1/exe" 2>/dev/null)" == "$2"* ]]
}
if [ -s "$PIDS" ]; then
  while read -r name pid exe; do
    [ -n "${pid:-}" ] && [ -n "${exe:-}" ] || continue
    running "$pid" "$exe" &&
      die "$name (pid $pid) from a previous start is still running:" \
        "run $HERE/stop-postgres.sh first"
  done < "$PIDS"
  rm -f "$PIDS"
fi

port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
port_busy "$PG_PORT" && die "something already listens on $HOST:$PG_PORT (set PG_PORT)"

# ---------------------------------------------------------------- binaries
# Not installed from here: Debian's postgresql package also creates and starts a system cluster.
BIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null |
  sort -V | tail -n 1)
[ -n "$BIN" ] && [ -x "$BIN/postgres" ] && [ -x "$BIN/initdb" ] ||
  die "no PostgreSQL server under /usr/lib/postgresql: install it (scripts/install-deps.sh test)"
for tool in psql pg_isready; do [ -x "$BIN/$tool" ] || die "$BIN/$tool is missing"; done

# ---------------------------------------------------------------- who runs the server
if [ "$(id -u)" = 0 ]; then
  id "$PG_USER" >/dev/null 2>&1 || die "PG_USER '$PG_USER' is not a user on this system"
  [ "$(id -u "$PG_USER")" != 0 ] ||
    die "PG_USER '$PG_USER' is root; PostgreSQL refuses to run as root"
  AS_SERVER=(setpriv --reuid="$(id -u "$PG_USER")" --regid="$(id -g "$PG_USER")" --clear-groups --)
  OWNER="$(id -u "$PG_USER"):$(id -g "$PG_USER")"
else
  AS_SERVER=()
  OWNER=
fi

# ---------------------------------------------------------------- fresh dirs
# a unix socket path is at most 107 bytes
[ ${#RUN} -le 90 ] || die "PG_DIR is too long for a unix socket path: $RUN/.s.PGSQL.$PG_PORT"
mkdir -p "$DIR"
"${AS_SERVER[@]}" test -x "$DIR" ||
  die "$DIR is not reachable by user '$PG_USER' (a parent directory is closed to it):" \
    "choose another PG_DIR"
# initdb and the server look up their working directory; root's home may be closed to PG_USER.
cd "$DIR"
rm -rf "$DATA" "$RUN" "$LOGS" "$DIR/pg.env"
mkdir -p "$LOGS"
mkdir -m 0700 "$DATA" "$RUN"
[ -z "$OWNER" ] || chown "$OWNER" "$DATA" "$RUN"
: > "$PIDS"

READY=0
on_exit() {  # on any failure, stop exactly what this run started
  local rc=$?
  if [ "$READY" != 1 ]; then
    log "start failed (rc=$rc); stopping what was started. Logs: $LOGS"
    "$HERE/stop-postgres.sh" >&2 || true
  fi
  exit "$rc"
}
trap on_exit EXIT

# ---------------------------------------------------------------- cluster
# C.UTF-8: byte-order collation (the same on every machine) with Unicode case mapping for lower().
"${AS_SERVER[@]}" "$BIN/initdb" --pgdata="$DATA" --username=postgres --encoding=UTF8 \
  --locale=C.UTF-8 --no-sync > "$LOGS/initdb.out" 2>&1 ||
  { tail -n 30 "$LOGS/initdb.out" >&2; die "initdb failed"; }
log "initdb $("$BIN/postgres" --version | awk '{print $3}') done"

# Replaces initdb's, which trusts every local TCP connection.
cat > "$DATA/pg_hba.conf" <<EOF
# generated by start-postgres.sh - throw-away test server
# TYPE  DATABASE  USER      ADDRESS        METHOD
# the socket's directory and mode already limit who reaches it
local   all       all                      trust
host    all       postgres  $HOST/32   reject
host    all       all       $HOST/32   scram-sha-256
EOF

# A test server's data is thrown away after the run: durability settings only cost time.
cat >> "$DATA/postgresql.conf" <<EOF

# generated by start-postgres.sh - throw-away test server
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$RUN'
unix_socket_permissions = 0700
password_encryption = 'scram-sha-256'
# a parallel ctest run opens many connections at once (each test its pool)
max_connections = 200
# the data dies with the run: no fsync, no crash safety, the least WAL
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 1GB
checkpoint_timeout = 30min
# nobody reads the statistics of a test database
track_counts = off
autovacuum = off
# in the data dir rather than /dev/shm, which containers often make small
dynamic_shared_memory_type = mmap
shared_buffers = 64MB
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF

# Started in the foreground in its own session, detached from this shell; the recorded PID is the
# postmaster's own (sh writes $$, then setpriv and postgres exec in its place).
EXE=$(realpath "$BIN/postgres")
pf=$RUN/postgres.launch.pid
setsid sh -c 'echo $$ > "$0"; exec "$@"' "$pf" "${AS_SERVER[@]}" "$EXE" -D "$DATA" \
  > "$LOGS/postgres.log" 2>&1 < /dev/null &
for _ in $(seq 1 100); do [ -s "$pf" ] && break; sleep 0.05; done
[ -s "$pf" ] || die "could not start postgres"
PID=$(cat "$pf")
rm -f "$pf"
echo "postgres $PID $EXE" >> "$PIDS"
log "started postgres pid $PID"

end=$(( $(date +%s) + START_TIMEOUT ))
until "$BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" -d postgres -t 2; do
  if ! running "$PID" "$EXE"; then
    tail -n 30 "$LOGS/postgres.log" >&2
    die "postgres died before accepting connections"
  fi
  if [ "$(date +%s)" -ge "$end" ]; then
    tail -n 30 "$LOGS/postgres.log" >&2
    die "timeout (${START_TIMEOUT}s) waiting for postgres to accept connections on $HOST:$PG_PORT"
  fi
  sleep 0.1
done
log "accepting connections on $HOST:$PG_PORT"

# ---------------------------------------------------------------- role and database
# Hex, so that it needs no quoting in SQL, in a URL or in the shell.
PASSWORD=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
# On stdin rather than the command line, where ps would show the password; a failing statement is
# not logged, because it would carry the password into postgres.log.
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$PG_PORT" -U postgres -d postgres \
  > "$LOGS/setup.out" 2>&1 <<EOF ||
SET log_min_error_statement = panic;
CREATE ROLE pindeck LOGIN CREATEDB PASSWORD '$PASSWORD';
CREATE DATABASE pindeck OWNER pindeck;
EOF
  { grep -v "$PASSWORD" "$LOGS/setup.out" >&2; die "creating the role and database failed"; }
log "role and database 'pindeck' created"
READY=1

URL="postgresql://pindeck:$PASSWORD@$HOST:$PG_PORT/pindeck"
q() { printf '%q' "$1"; }
(umask 077 && cat > "$DIR/pg.env" <<EOF
export PINDECK_TEST_PG_URL=$(q "$URL")
EOF
)
log "ready (pid in $PIDS, stop with $HERE/stop-postgres.sh)"
cat <<EOF
PINDECK_TEST_PG_URL=$URL
# source $DIR/pg.env to get it as an exported variable
EOF
