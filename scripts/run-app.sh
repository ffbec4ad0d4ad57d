#!/usr/bin/env bash
# Starts KammerDesk against a local demo database (kammerdesk_demo): creates and migrates it,
# loads the demo data once (clerks admin / sb.mueller / hl.schmidt, password kammer-demo-2026),
# builds the UI and runs the desktop app. The desk itself connects to that demo database as long
# as neither its settings screen nor KAMMERDESK_DATABASE_URL names another one.
# With the demo database it also starts the demo mail server (the test SMTP server) on
# 127.0.0.1:2525, where the desk's default mail settings point: the mails the desk sends are
# stored as .eml files in ~/.cache/kammerdesk-demo-mail/ (nothing leaves the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

DEMO_DB=kammerdesk_demo
DEMO_URL="$PG_URL_BASE/$DEMO_DB"
if [ -z "${KAMMERDESK_DATABASE_URL:-}" ]; then
    # The demo database is prepared whenever no address is pinned; a desk whose settings name
    # another database simply does not use it.
    if [ "$(psql "$PG_URL_BASE/postgres" -w -tAc "select 1 from pg_database where datname = '$DEMO_DB'")" != "1" ]; then
        echo "creating database $DEMO_DB" >&2
        psql "$PG_URL_BASE/postgres" -w -q -c "create database $DEMO_DB"
    fi
    kammerctl() { DATABASE_URL="$KD_DATABASE_URL" cargo run -q -p kammer-cli --bin kammerctl -- --database-url "$DEMO_URL" "$@"; }
    kammerctl migrate
    if [ "$(psql "$DEMO_URL" -w -tAc 'select count(*) from betriebe')" = "0" ]; then
        echo "loading demo data into $DEMO_DB" >&2
        kammerctl demo-seed
    fi
    if ! (exec 3<>/dev/tcp/127.0.0.1/2525) 2>/dev/null; then
        mkdir -p "$HOME/.cache/kammerdesk-demo-mail"
        echo "demo mail server on 127.0.0.1:2525, mails in ~/.cache/kammerdesk-demo-mail/" >&2
        nohup "$KD_SMTP_PYTHON" scripts/smtp-test-server/server.py --port 2525 \
            --store "$HOME/.cache/kammerdesk-demo-mail" >/dev/null 2>&1 &
    fi
fi

npm --prefix ui run build
DATABASE_URL="$KD_DATABASE_URL" cargo build -p kammerdesk --features custom-protocol
exec "$CARGO_TARGET_DIR/debug/kammerdesk"
