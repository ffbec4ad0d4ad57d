#!/usr/bin/env bash
# Starts KammerDesk against a local demo database (kammerdesk_demo): creates and migrates it,
# loads the demo data once (clerk logins admin / sb.mueller / hl.schmidt and the service logins
# kd_portal / kd_mailer / kd_reporting / kd_import, all with the password kammer-demo-2026),
# builds the UI and runs the desktop app. The desk signs clerks in at that demo database as
# long as neither its settings nor KAMMERDESK_DATABASE_URL names another one.
# With the demo database it also starts, once, the mail sender service as its own process
# (`kammerctl outbox run` as kd_mailer — the desk sends no mail) and the demo mail server it
# delivers to (the test SMTP server on 127.0.0.1:2525): the mails are stored as .eml files in
# ~/.cache/kammerdesk-demo-mail/ (nothing leaves the machine), the sender's log beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

DEMO_DB=kammerdesk_demo
DEMO_URL="$PG_URL_BASE/$DEMO_DB"
if [ -z "${KAMMERDESK_DATABASE_URL:-}" ]; then
    # The demo database is prepared whenever no address is pinned; a desk whose settings name
    # another database simply does not use it.
    exists="$(psql "$PG_URL_BASE/postgres" -w -tAc "select 1 from pg_database where datname = '$DEMO_DB'")"
    if [ "$exists" = "1" ] && [ "$(psql "$DEMO_URL" -w -tAc "select to_regnamespace('kammer_api') is null")" = "t" ]; then
        # Demo data from before clerks had their own logins: made anew, it is only demo data.
        echo "recreating $DEMO_DB (its demo data predates the database logins of the clerks)" >&2
        psql "$PG_URL_BASE/postgres" -w -q -c "drop database $DEMO_DB with (force)"
        exists=""
    fi
    if [ "$exists" != "1" ]; then
        echo "creating database $DEMO_DB" >&2
        psql "$PG_URL_BASE/postgres" -w -q -c "create database $DEMO_DB"
    fi
    DATABASE_URL="$KD_DATABASE_URL" cargo build -q -p kammer-cli --bin kammerctl
    kammerctl() { "$CARGO_TARGET_DIR/debug/kammerctl" --database-url "$DEMO_URL" "$@"; }
    kammerctl migrate
    if [ "$(psql "$DEMO_URL" -w -tAc 'select count(*) from betriebe')" = "0" ]; then
        echo "loading demo data into $DEMO_DB" >&2
        kammerctl demo-seed
    fi
    mails="$HOME/.cache/kammerdesk-demo-mail"
    mkdir -p "$mails"
    if ! (exec 3<>/dev/tcp/127.0.0.1/2525) 2>/dev/null; then
        echo "demo mail server on 127.0.0.1:2525, mails in $mails/" >&2
        nohup "$KD_SMTP_PYTHON" scripts/smtp-test-server/server.py --port 2525 \
            --store "$mails" >/dev/null 2>&1 &
    fi
    if ! { [ -f "$mails/outbox.pid" ] && kill -0 "$(cat "$mails/outbox.pid")" 2>/dev/null; }; then
        echo "mail sender service (kammerctl outbox run as kd_mailer), log in $mails/outbox.log" >&2
        KAMMERDESK_DATABASE_URL="postgres://kd_mailer:kammer-demo-2026@127.0.0.1:5432/$DEMO_DB" \
            nohup "$CARGO_TARGET_DIR/debug/kammerctl" outbox run --smtp-host 127.0.0.1 \
            --smtp-port 2525 --smtp-security plain >"$mails/outbox.log" 2>&1 &
        echo $! >"$mails/outbox.pid"
    fi
fi

npm --prefix ui run build
DATABASE_URL="$KD_DATABASE_URL" cargo build -p kammerdesk --features custom-protocol
exec "$CARGO_TARGET_DIR/debug/kammerdesk"
