#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# claims.sh BUILD_DIR [benchmark options...] - runs claims_bench against SQLite and a throw-away
# PostgreSQL server, twice for PostgreSQL: as the test server runs (fsync off) and with fsync,
# synchronous_commit and full_page_writes on, as a production server would be.
#
# Settings (environment, all optional): PG_PORT (default 5490), PG_DIR (default
# /tmp/pindeck-claims-bench-pg), PG_USER (the server's user when run as root, default nobody).
set -euo pipefail

BUILD=${1:?usage: claims.sh BUILD_DIR [benchmark options...]}
shift
BENCH=$BUILD/benchmarks/catalog/claims_bench
[ -x "$BENCH" ] || { echo "no $BENCH: build the claims_bench target" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVER=$HERE/../../tests/postgres-server
export PG_PORT=${PG_PORT:-5490}
export PG_DIR=${PG_DIR:-/tmp/pindeck-claims-bench-pg}
PG_USER=${PG_USER:-nobody}

"$SERVER/start-postgres.sh" >/dev/null
trap '"$SERVER/stop-postgres.sh" >/dev/null' EXIT
# shellcheck source=/dev/null
source "$PG_DIR/pg.env"
export PINDECK_BENCH_PG_URL=$PINDECK_TEST_PG_URL
PINDECK_BENCH_PG_SERVER_PID=$(awk '$1 == "postgres" {print $2}' "$PG_DIR/pids")
export PINDECK_BENCH_PG_SERVER_PID

"$BENCH" "$@"

# The superuser is reachable only through the server's own socket, as the server's user.
AS_SERVER=()
[ "$(id -u)" != 0 ] || AS_SERVER=(setpriv --reuid="$(id -u "$PG_USER")"
  --regid="$(id -g "$PG_USER")" --clear-groups --)
PSQL=$(find /usr/lib/postgresql -path '*/bin/psql' | sort -V | tail -n 1)
"${AS_SERVER[@]}" "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR/run" -p "$PG_PORT" -U postgres \
  -d postgres -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
  -c "ALTER SYSTEM SET full_page_writes = on" -c "SELECT pg_reload_conf()" >/dev/null
"$BENCH" --benchmark_filter=postgresql "$@"
