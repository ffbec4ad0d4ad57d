#!/usr/bin/env bash
# A PgBouncer on 127.0.0.1:6432 in front of the local PostgreSQL (127.0.0.1:5432), for trying
# KammerDesk behind a pooler; what works and what does not is in docs/performance.md ("Beyond
# one server"). Idempotent: installs the Debian package `pgbouncer` when it is missing, writes
# its own configuration to /tmp/kammerdesk-pgbouncer, starts an instance when nothing answers
# on port 6432, reloads it when its configuration changed (another mode, or an older version
# of this script), and otherwise leaves it alone. The package's own service is left alone.
#
#   scripts/pgbouncer.sh [transaction]   # transaction pooling (the default)
#   scripts/pgbouncer.sh session         # session pooling
#   scripts/pgbouncer.sh stop            # stop the instance this script started
#
# Every database of the local server is reachable under its own name, with the same rules as
# the lines marked kammerdesk-dev in the server's pg_hba.conf (scripts/setup.sh):
#   - postgres signs in from 127.0.0.1 without a password (set-up, and PgBouncer's console);
#   - every other login — the clerks and the services — with its own password, SCRAM-SHA-256.
# PgBouncer 1.18 (Debian 12) checks the password itself: `auth_type = hba` with an hba file of
# those two lines, and the login's SCRAM verifier read from the server by `auth_query`, run as
# `auth_user = postgres`. It then signs in to the server as the same login with SCRAM
# ("SCRAM pass-through", since 1.14): it may, because the client authenticated with SCRAM,
# the database entry names no user and the verifier is the server's own. No password is
# stored here. (In production `auth_user` would be a login without other rights that calls a
# SECURITY DEFINER lookup function, not a superuser.)
set -euo pipefail

PORT=6432
DIR=/tmp/kammerdesk-pgbouncer

# shellcheck source=scripts/lib/test-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh" pgbouncer

answers() { pg_isready -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres 2>/dev/null; }

MODE="${1:-transaction}"
case "$MODE" in
    stop)
        if [ -f "$DIR/pgbouncer.pid" ]; then
            kd_as_root kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
        fi
        exit 0
        ;;
    transaction | session) ;;
    *) die "usage: scripts/pgbouncer.sh [transaction|session|stop]" ;;
esac

CONFIG="; Written by scripts/pgbouncer.sh (kammerdesk-dev).
[databases]
; No user here: each client's own login goes on to the server (SCRAM pass-through).
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = hba
auth_hba_file = $DIR/hba.conf
; postgres only: the console's admin and auth_user (the server trusts it on 127.0.0.1).
auth_file = $DIR/userlist.txt
auth_user = postgres
; PgBouncer 1.18's default, spelled out: the verifier of a login that may sign in.
auth_query = SELECT rolname, CASE WHEN rolvaliduntil < now() THEN NULL ELSE rolpassword END FROM pg_authid WHERE rolname = \$1 AND rolcanlogin
admin_users = postgres
pool_mode = $MODE
max_client_conn = 500
default_pool_size = 20
; sqlx sends extra_float_digits at start-up, and the read pool's options
; (default_transaction_read_only); PgBouncer 1.18 refuses unknown start-up parameters.
ignore_startup_parameters = extra_float_digits,options
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid"
HBA="# Written by scripts/pgbouncer.sh (kammerdesk-dev): the kammerdesk-dev lines of pg_hba.conf.
host all postgres 127.0.0.1/32 trust
host all all      127.0.0.1/32 scram-sha-256"
USERLIST='"postgres" ""'

# Unchanged and running: nothing to do.
same() { [ "$(kd_as_root cat "$1" 2>/dev/null)" = "$2" ]; }
if answers && same "$DIR/pgbouncer.ini" "$CONFIG" && same "$DIR/hba.conf" "$HBA" &&
    same "$DIR/userlist.txt" "$USERLIST"; then
    exit 0
fi

if ! command -v pgbouncer >/dev/null 2>&1; then
    log "installing the Debian package pgbouncer"
    install_pgbouncer() { kd_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends pgbouncer >/dev/null; }
    # A fresh machine may not have the package lists yet.
    install_pgbouncer || { kd_as_root apt-get update -q >/dev/null && install_pgbouncer; }
fi

# PgBouncer refuses to run as root; it runs as postgres, which must read its files.
kd_as_root install -d -o postgres -g postgres -m 700 "$DIR"
printf '%s\n' "$CONFIG" | kd_as_root tee "$DIR/pgbouncer.ini" >/dev/null
printf '%s\n' "$HBA" | kd_as_root tee "$DIR/hba.conf" >/dev/null
printf '%s\n' "$USERLIST" | kd_as_root tee "$DIR/userlist.txt" >/dev/null
kd_as_root chown postgres:postgres "$DIR/pgbouncer.ini" "$DIR/hba.conf" "$DIR/userlist.txt"
kd_as_root chmod 600 "$DIR/pgbouncer.ini" "$DIR/hba.conf" "$DIR/userlist.txt"

if answers; then
    # Ours, with another configuration: reload, and let server connections of the old one go.
    log "reloading PgBouncer on 127.0.0.1:$PORT ($MODE pooling, SCRAM for every login but postgres)"
    psql "postgres://postgres@127.0.0.1:$PORT/pgbouncer" -w -qc reload -c reconnect
    exit 0
fi
log "starting PgBouncer $(pgbouncer --version | head -1 | cut -d' ' -f2) on 127.0.0.1:$PORT ($MODE pooling, SCRAM for every login but postgres)"
kd_as_root runuser -u postgres -- pgbouncer -d "$DIR/pgbouncer.ini"
for _ in $(seq 1 50); do
    answers && break
    sleep 0.1
done
answers || die "PgBouncer does not answer on 127.0.0.1:$PORT; see $DIR/pgbouncer.log"
