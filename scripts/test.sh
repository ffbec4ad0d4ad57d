#!/usr/bin/env bash
# Everything CI checks: formatting, clippy, the Rust tests (against the local PostgreSQL,
# where sqlx::test creates one throw-away database per test), the UI checks, tests and build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

step() { printf '\n==> %s\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --all --check
# The UI first: the app's custom-protocol build embeds ui/dist, which a fresh clone lacks.
step "ui: check"
npm --prefix ui run check
step "ui: test"
npm --prefix ui test
step "ui: build"
npm --prefix ui run build
step "release workflow (actionlint) and tauri.conf.json (Tauri schema)"
scripts/check-release-config.sh
step "documentation links (README, DEVELOPMENT.md, docs/)"
python3 scripts/check-doc-links.py
step "cargo clippy"
DATABASE_URL="$KD_DATABASE_URL" cargo clippy --workspace --all-targets -- -D warnings
# The end-to-end target exists only with the app's custom-protocol feature.
DATABASE_URL="$KD_DATABASE_URL" cargo clippy --workspace --all-targets --features kammerdesk/custom-protocol -- -D warnings
# The replica tests (crates/kammer-cli/tests/integration/replica.rs) read from a real streaming replica.
step "read replica on 127.0.0.1:5433"
scripts/replica.sh
# crates/kammer-cli/tests/integration/pgbouncer.rs runs kammerctl through a real PgBouncer.
step "PgBouncer on 127.0.0.1:6432 (session pooling)"
scripts/pgbouncer.sh session
# crates/kammer-core/tests/integration/tls.rs: a PostgreSQL that speaks only TLS, its certificate from a
# test CA (verify-full with the CA file; a wrong host name, an unknown CA are refused).
step "PostgreSQL with TLS only on 127.0.0.1:5434 (test CA)"
scripts/tls-postgres.sh
export KD_TLS_TESTS=1
# crates/kammer-core/tests/integration/directory.rs: a private slapd; the TLS cluster signs directory
# logins in through PostgreSQL's own ldap method.
step "OpenLDAP (slapd) on 127.0.0.1:3389, directory sign-in on 5434"
scripts/slapd.sh
export KD_DIRECTORY_TESTS=1
# The integration tests make server-wide logins named t<6 hex>.<name> (tests/common); their
# databases are dropped after each test, the logins stay. Drop the ones earlier runs left.
step "drop test logins left by earlier runs"
psql -q -X -v ON_ERROR_STOP=1 "$PG_URL_BASE/postgres" <<'SQL'
do $$
declare r record; dropped int := 0;
begin
    for r in select rolname from pg_roles where rolname ~ '^t[0-9a-f]{6}\.' loop
        begin
            execute format('drop role %I', r.rolname);
            dropped := dropped + 1;
        exception when dependent_objects_still_exist then
            null; -- still used by a test database that another run has open
        end;
    end loop;
    raise notice 'dropped % test logins', dropped;
end $$;
SQL
# Roles belong to the server, not to a database. The first migration creates `kammer_app`
# without the lock on pg_authid that the later ones take, so on a new server the tests below,
# migrating many databases at once, would race to create it: migrate one database first (as
# scripts/setup.sh builds kammerdesk_sqlx), then drop it; the roles stay.
step "server-wide roles"
if [ "$(psql -X -tA "$PG_URL_BASE/postgres" -c "select count(*) from pg_roles where rolname = 'kammer_app'")" != 1 ]; then
    psql -X -q -v ON_ERROR_STOP=1 "$PG_URL_BASE/postgres" \
        -c "drop database if exists kd_server_roles with (force)" -c "create database kd_server_roles"
    for f in migrations/*.sql; do
        psql -X -q -1 -v ON_ERROR_STOP=1 "$PG_URL_BASE/kd_server_roles" -f "$f" >/dev/null
    done
    psql -X -q "$PG_URL_BASE/postgres" -c "drop database kd_server_roles with (force)"
fi
step "cargo test"
DATABASE_URL="$KD_DATABASE_URL" cargo test --workspace
step "bench smoke: mail drain (100 mails, debug build)"
DATABASE_URL="$PG_URL_BASE/postgres" cargo test -p kammer-core --bench mail_drain -- --mails 100
step "export benchmark, smoke run (2,000 rows)"
DATABASE_URL="$KD_DATABASE_URL" cargo test -p kammer-core --bench export -- --rows 2000 --drop
step "Handwerksrolle import benchmark, smoke run (2,000 rows)"
DATABASE_URL="$KD_DATABASE_URL" cargo test -p kammer-core --bench handwerksrolle -- --rows 2000 --drop
step "scale benchmark, smoke run (3,000 Anträge, debug build)"
scripts/bench-scale.sh --smoke
step "end-to-end tests (WebDriver, Xvfb)"
scripts/e2e.sh
step "all checks passed"
