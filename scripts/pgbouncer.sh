#!/usr/bin/env bash
# A PgBouncer on 127.0.0.1:6432 in front of the local PostgreSQL (127.0.0.1:5432), for trying
# KammerDesk behind a pooler; what works and what does not is in docs/performance.md ("Beyond
# one server"). Idempotent: installs the Debian package `pgbouncer` when it is missing, writes
# its own configuration to /tmp/kammerdesk-pgbouncer, starts an instance when nothing answers
# on port 6432 and otherwise reloads it in the mode asked for. The package's own service is
# left alone.
#
#   scripts/pgbouncer.sh [transaction]   # transaction pooling (the default)
#   scripts/pgbouncer.sh session         # session pooling
#   scripts/pgbouncer.sh stop            # stop the instance this script started
#
# Every database of the local server is reachable under its own name, as user postgres
# without a password (the same trust the development setup gives on 127.0.0.1).
set -euo pipefail

PORT=6432
DIR=/tmp/kammerdesk-pgbouncer

log() { printf '[pgbouncer] %s\n' "$*" >&2; }
die() {
    log "$*"
    exit 1
}

# shellcheck source=scripts/lib/as-root.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/as-root.sh"

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

if answers && kd_as_root grep -q "^pool_mode = $MODE\$" "$DIR/pgbouncer.ini" 2>/dev/null; then
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
kd_as_root tee "$DIR/pgbouncer.ini" >/dev/null <<EOF
; Written by scripts/pgbouncer.sh (kammerdesk-dev).
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
admin_users = postgres
pool_mode = $MODE
max_client_conn = 500
default_pool_size = 20
; sqlx sends extra_float_digits at start-up, and the read pool's options
; (default_transaction_read_only); PgBouncer 1.18 refuses unknown start-up parameters.
ignore_startup_parameters = extra_float_digits,options
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
EOF
echo '"postgres" ""' | kd_as_root tee "$DIR/userlist.txt" >/dev/null
kd_as_root chown postgres:postgres "$DIR/pgbouncer.ini" "$DIR/userlist.txt"

if answers; then
    # Ours, in the other mode: reload, and let server connections in use by the old mode go.
    log "switching PgBouncer on 127.0.0.1:$PORT to $MODE pooling"
    psql "postgres://postgres@127.0.0.1:$PORT/pgbouncer" -w -qc reload -c reconnect
    exit 0
fi
log "starting PgBouncer $(pgbouncer --version | head -1 | cut -d' ' -f2) on 127.0.0.1:$PORT ($MODE pooling)"
kd_as_root runuser -u postgres -- pgbouncer -d "$DIR/pgbouncer.ini"
for _ in $(seq 1 50); do
    answers && break
    sleep 0.1
done
answers || die "PgBouncer does not answer on 127.0.0.1:$PORT; see $DIR/pgbouncer.log"
