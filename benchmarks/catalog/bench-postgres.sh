# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# bench-postgres.sh: sourced by the benchmarks' scripts that need PostgreSQL.
#   start_bench_postgres: starts a throw-away PostgreSQL server (tests/postgres-server: a fresh,
#   empty cluster, fsync off) and exports PINDECK_BENCH_PG_URL (its database) and
#   PINDECK_BENCH_PG_SERVER_PID (its postmaster).
#   stop_bench_postgres: stops it (for the caller's EXIT trap).
# Settings (environment, all optional): PG_PORT (default 5490), PG_DIR (default
# /tmp/pindeck-bench-pg), PG_USER (the server's user when run as root, default nobody).

BENCH_PG_SERVER=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/postgres-server" && pwd)
export PG_PORT=${PG_PORT:-5490}
export PG_DIR=${PG_DIR:-/tmp/pindeck-bench-pg}
PG_USER=${PG_USER:-nobody}

start_bench_postgres() {
  "$BENCH_PG_SERVER/start-postgres.sh" > /dev/null
  # shellcheck source=/dev/null
  source "$PG_DIR/pg.env"
  export PINDECK_BENCH_PG_URL=$PINDECK_TEST_PG_URL
  PINDECK_BENCH_PG_SERVER_PID=$(awk '$1 == "postgres" {print $2}' "$PG_DIR/pids")
  export PINDECK_BENCH_PG_SERVER_PID
}

stop_bench_postgres() {
  "$BENCH_PG_SERVER/stop-postgres.sh" > /dev/null
}
