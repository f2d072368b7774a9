#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# claims.sh BUILD_DIR [benchmark options...] - runs claims_bench against SQLite and a throw-away
# PostgreSQL server, twice for PostgreSQL: as the test server runs (fsync off) and with fsync,
# synchronous_commit and full_page_writes on, as a production server would be.
#
# Settings: those of bench-postgres.sh.
set -euo pipefail

BUILD=${1:?usage: claims.sh BUILD_DIR [benchmark options...]}
shift
BENCH=$BUILD/benchmarks/catalog/claims_bench
[ -x "$BENCH" ] || { echo "no $BENCH: build the claims_bench target" >&2; exit 1; }
# shellcheck source=bench-postgres.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-postgres.sh"
start_bench_postgres
trap stop_bench_postgres EXIT

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
