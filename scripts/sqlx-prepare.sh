#!/usr/bin/env bash
# Refreshes .sqlx/, the offline query data that lets the project build without a database.
# Needs DATABASE_URL pointing at a database migrated to the current schema.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:=postgres://postgres@127.0.0.1:5432/kammerdesk_dev}"
export DATABASE_URL CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kammerdesk-target}"
rm -rf .sqlx && mkdir -p .sqlx
# The macros write their data only when they expand: force kammer-core to recompile.
touch crates/kammer-core/src/lib.rs crates/kammer-core/tests/integration/*.rs crates/kammer-core/tests/integration/common/*.rs 2>/dev/null || true
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" cargo check -q -p kammer-core --all-targets
echo "$(ls .sqlx | wc -l) queries in .sqlx/"
