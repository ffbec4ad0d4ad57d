#!/usr/bin/env bash
# Idempotent setup of a development machine (Debian/Ubuntu) for KammerDesk.
# Run it directly or source it (scripts/test.sh and scripts/run-app.sh do); it only acts
# where something is missing:
#   1. apt-get installs the system packages that are not installed yet (root or sudo);
#      nodejs/npm only when there is no `node` at all.
#   2. When nothing answers on 127.0.0.1:5432, the newest installed PostgreSQL cluster is started.
#   3. Four lines go at the top of that cluster's pg_hba.conf (once), and it is reloaded:
#        host all postgres 127.0.0.1/32 trust           # kammerdesk-dev
#        host all postgres ::1/128      trust           # kammerdesk-dev
#        host all all      127.0.0.1/32 scram-sha-256   # kammerdesk-dev-scram
#        host all all      ::1/128      scram-sha-256   # kammerdesk-dev-scram
#      The superuser signs in from localhost without a password (migrations, demo data,
#      the tests' set-up); every clerk and service login must give its own password, as in
#      production, whatever the rest of the file says. This is for a local development
#      machine only: anyone on it can connect as postgres over localhost. Remove the lines
#      marked "kammerdesk-dev" to undo it.
#   4. `npm ci` in ui/ when ui/node_modules is missing or ui/package-lock.json changed since
#      the last install (a checksum is kept in ui/node_modules/.kammerdesk-lock.sha256).
#   5. A Python venv in ~/.cache/kammerdesk-venv with aiosmtpd (scripts/smtp-test-server/),
#      the real SMTP server the tests start on loopback; KD_SMTP_PYTHON points at it.
#   6. tauri-driver (the WebDriver bridge of the end-to-end tests, scripts/e2e.sh) with
#      `cargo install tauri-driver --locked` into ~/.cargo/bin when it is missing.
#   7. The sqlx query macros need either the committed query data in .sqlx/ (then
#      SQLX_OFFLINE=true is exported) or a database with the schema at compile time. Without
#      .sqlx/, the database kammerdesk_sqlx is (re)built from migrations/*.sql with psql whenever
#      the migrations change; it serves only the compiler and as the server for sqlx::test.
# Exports CARGO_TARGET_DIR (default ~/.cache/kammerdesk-target), PG_URL_BASE, KD_SMTP_PYTHON, SQLX_OFFLINE and
# KD_DATABASE_URL: the DATABASE_URL to give cargo (compile-time checks and sqlx::test, which
# creates one throw-away database per test on that server).
set -euo pipefail

KD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kammerdesk-target}"
export PG_URL_BASE="postgres://postgres@127.0.0.1:5432"

kd_log() { printf '[setup] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib/as-root.sh
source "$KD_ROOT/scripts/lib/as-root.sh"

kd_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

kd_packages() {
    local wanted=(postgresql postgresql-contrib libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev
        libayatana-appindicator3-dev libssl-dev build-essential pkg-config xvfb webkit2gtk-driver
        python3 python3-venv curl dbus xclip)
    command -v node >/dev/null 2>&1 || wanted+=(nodejs npm)
    local missing=() p
    for p in "${wanted[@]}"; do
        kd_installed "$p" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        kd_log "installing: ${missing[*]}"
        kd_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        kd_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        kd_log "cargo not found: install Rust with https://rustup.rs (rustup toolchain >= 1.90)"
        return 1
    fi
}

kd_pg_answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

kd_pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -1; }

kd_postgres() {
    if ! kd_pg_answers; then
        local v
        v="$(kd_pg_version)"
        [ -n "$v" ] || { kd_log "no PostgreSQL cluster in /etc/postgresql"; return 1; }
        kd_log "starting PostgreSQL $v/main"
        kd_as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
        local i
        for i in $(seq 1 30); do
            kd_pg_answers && break
            sleep 1
        done
        kd_pg_answers || { kd_log "PostgreSQL does not answer on 127.0.0.1:5432"; return 1; }
    fi
    # KammerDesk's clerks and services sign in with their own passwords (SCRAM), as in
    # production, while the superuser postgres keeps signing in from localhost without one
    # (local development only). Four lines at the top of pg_hba.conf, marked kammerdesk-dev.
    local v hba
    v="$(kd_pg_version)"
    hba="/etc/postgresql/$v/main/pg_hba.conf"
    if [ -n "$v" ] && [ -f "$hba" ] && ! kd_as_root grep -q 'kammerdesk-dev-scram' "$hba"; then
        kd_log "pg_hba.conf: postgres without password on localhost, everyone else with SCRAM (local development only; lines marked kammerdesk-dev)"
        kd_as_root sed -i '/^host all postgres .*# kammerdesk-dev$/d' "$hba"
        kd_as_root sed -i '1i host all postgres 127.0.0.1/32 trust   # kammerdesk-dev\nhost all postgres ::1/128      trust   # kammerdesk-dev\nhost all all 127.0.0.1/32 scram-sha-256   # kammerdesk-dev-scram\nhost all all ::1/128      scram-sha-256   # kammerdesk-dev-scram' "$hba"
        kd_as_root pg_ctlcluster --skip-systemctl-redirect "$v" main reload
        sleep 1
    fi
    psql "$PG_URL_BASE/postgres" -w -tAc 'select 1' >/dev/null || {
        kd_log "cannot sign in as postgres on 127.0.0.1:5432 without a password"
        return 1
    }
}

kd_ui() {
    local lock="$KD_ROOT/ui/package-lock.json" stamp="$KD_ROOT/ui/node_modules/.kammerdesk-lock.sha256" sum
    [ -f "$lock" ] || { kd_log "no ui/package-lock.json"; return 1; }
    sum="$(sha256sum "$lock" | cut -d' ' -f1)"
    if [ ! -d "$KD_ROOT/ui/node_modules" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
        kd_log "npm ci in ui/"
        npm --prefix "$KD_ROOT/ui" ci --no-audit --no-fund
        echo "$sum" >"$stamp"
    fi
}

kd_smtp_test_server() {
    # The loopback SMTP server of the tests (aiosmtpd) lives in a venv outside the clone,
    # rebuilt when its requirements change.
    local venv="$HOME/.cache/kammerdesk-venv" req="$KD_ROOT/scripts/smtp-test-server/requirements.txt" sum
    sum="$(sha256sum "$req" | cut -d' ' -f1)"
    if [ ! -x "$venv/bin/python3" ] || [ "$(cat "$venv/.kammerdesk-req.sha256" 2>/dev/null)" != "$sum" ]; then
        kd_log "creating the test SMTP server's Python venv in $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
        echo "$sum" >"$venv/.kammerdesk-req.sha256"
    fi
    export KD_SMTP_PYTHON="$venv/bin/python3"
}

kd_tauri_driver() {
    local bin="${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver"
    if [ ! -x "$bin" ] && ! command -v tauri-driver >/dev/null 2>&1; then
        kd_log "installing tauri-driver into ${bin%/*} (cargo install, about a minute)"
        cargo install tauri-driver --locked --version '^2.1'
    fi
}

kd_sqlx() {
    if [ -n "$(ls -A "$KD_ROOT/.sqlx" 2>/dev/null)" ]; then
        export SQLX_OFFLINE=true
        export KD_DATABASE_URL="$PG_URL_BASE/postgres"
        return 0
    fi
    local db=kammerdesk_sqlx sum current f
    sum="migrations $(cat "$KD_ROOT"/migrations/*.sql | sha256sum | cut -c1-16)"
    current="$(psql "$PG_URL_BASE/postgres" -w -tAc \
        "select shobj_description(oid, 'pg_database') from pg_database where datname = '$db'")"
    if [ "$current" != "$sum" ]; then
        kd_log "no .sqlx/ query data: building database $db from migrations/ for the sqlx macros"
        psql "$PG_URL_BASE/postgres" -w -q -v ON_ERROR_STOP=1 -c "drop database if exists $db with (force)" -c "create database $db"
        for f in "$KD_ROOT"/migrations/*.sql; do
            psql "$PG_URL_BASE/$db" -w -q -1 -v ON_ERROR_STOP=1 -f "$f" >/dev/null
        done
        psql "$PG_URL_BASE/postgres" -w -q -c "comment on database $db is '$sum'"
    fi
    export SQLX_OFFLINE=false
    export KD_DATABASE_URL="$PG_URL_BASE/$db"
}

kd_packages
kd_postgres
kd_ui
kd_smtp_test_server
kd_tauri_driver
kd_sqlx
kd_log "ready (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
