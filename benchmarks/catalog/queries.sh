#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# queries.sh BUILD_DIR [benchmark options...] - the catalog's query latencies (list, search,
# stats) over 100,000 records on SQLite and on a throw-away PostgreSQL server, in one run of
# catalog_bench (issue 8). Settings: those of bench-postgres.sh.
set -euo pipefail

BUILD=${1:?usage: queries.sh BUILD_DIR [benchmark options...]}
shift
BENCH=$BUILD/benchmarks/catalog/catalog_bench
[ -x "$BENCH" ] || { echo "no $BENCH: build the catalog_bench target" >&2; exit 1; }
# shellcheck source=bench-postgres.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-postgres.sh"
start_bench_postgres
trap stop_bench_postgres EXIT

"$BENCH" --benchmark_filter='Fill|List|Search|Stats' "$@"
