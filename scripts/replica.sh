#!/usr/bin/env bash
# A real streaming replica of the local PostgreSQL on 127.0.0.1:5433, for the tests of reading
# look-ups and exports from a replica (crates/kammer-cli/tests/integration/replica.rs) and for trying
# `kammerctl --read-database-url` by hand. Idempotent: when the replica already answers and
# streams, it only makes sure WAL replay is not left paused by an aborted test (well under a
# second); otherwise it (re)creates it, which takes seconds for a small primary.
#
# What it changes on this machine (local development only):
#   1. One line at the top of the primary's pg_hba.conf, so user postgres may open a
#      replication connection from 127.0.0.1 without a password, and a reload:
#        host replication postgres 127.0.0.1/32 trust   # kammerdesk-dev
#   2. A Debian cluster "replica" of the newest installed PostgreSQL on port 5433
#      (pg_createcluster), its data directory replaced by `pg_basebackup -R -X stream` of the
#      primary, its pg_hba.conf trusting postgres on 127.0.0.1, and a marker file
#      conf.d/kammerdesk-replica.conf. A cluster "replica" without that marker is never touched.
# Undo: `pg_dropcluster --stop <version> replica` and remove the lines marked kammerdesk-dev.
#
# No replication slot: a slot would keep every WAL segment on the primary for as long as the
# replica is down, and a benchmark seeding millions of rows would then fill the disk. If the
# primary runs so far ahead that the replica cannot follow, the next run recreates it.
set -euo pipefail

PRIMARY_PORT=5432
REPLICA_PORT=5433
CLUSTER=replica
MARKER=kammerdesk-replica.conf

# shellcheck source=scripts/lib/test-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh" replica

as_postgres() { kd_as_root runuser -u postgres -- "$@"; }

q() { psql "postgres://postgres@127.0.0.1:$1/postgres" -w -tAqc "$2"; }

streaming() {
    pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" 2>/dev/null &&
        [ "$(q "$REPLICA_PORT" 'select pg_is_in_recovery()' 2>/dev/null)" = t ] &&
        [ "$(q "$REPLICA_PORT" 'select status from pg_stat_wal_receiver' 2>/dev/null)" = streaming ]
}

resume_replay() {
    # An aborted test may have paused replay; a paused replica would fail every later wait.
    q "$REPLICA_PORT" 'select pg_wal_replay_resume()' >/dev/null
}

# Two runs at once (a test run and CI) must not both rebuild the cluster. The servers this
# script starts get `9>&-`: holding the lock's descriptor, they would keep it locked forever.
kd_one_run_at_a_time

if streaming; then
    resume_replay
    exit 0
fi

pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT" ||
    die "the primary does not answer on 127.0.0.1:$PRIMARY_PORT (run scripts/setup.sh first)"
q "$PRIMARY_PORT" 'select 1' >/dev/null ||
    die "cannot sign in as postgres on 127.0.0.1:$PRIMARY_PORT without a password (run scripts/setup.sh first)"
[ "$(q "$PRIMARY_PORT" 'select pg_is_in_recovery()')" = f ] ||
    die "the server on 127.0.0.1:$PRIMARY_PORT is itself a replica"
version="$(q "$PRIMARY_PORT" "select current_setting('server_version_num')::int / 10000")"
conf="/etc/postgresql/$version/$CLUSTER"
data="/var/lib/postgresql/$version/$CLUSTER"
[ "$(q "$PRIMARY_PORT" "select setting from pg_settings where name = 'wal_level'")" != minimal ] ||
    die "the primary has wal_level = minimal; a replica needs replica or logical"

# 1. The primary lets postgres replicate from 127.0.0.1.
primary_hba="$(q "$PRIMARY_PORT" 'show hba_file')"
if ! kd_as_root grep -q '^host replication postgres 127.0.0.1/32 trust' "$primary_hba"; then
    log "allowing replication connections of postgres from 127.0.0.1 in $primary_hba (local development only)"
    kd_as_root sed -i '1i host replication postgres 127.0.0.1/32 trust   # kammerdesk-dev' "$primary_hba"
    q "$PRIMARY_PORT" 'select pg_reload_conf()' >/dev/null
    sleep 1
fi

# 2. The replica: start it if it is ours and was only stopped; otherwise build it afresh.
if [ -d "$conf" ] && [ ! -f "$conf/conf.d/$MARKER" ]; then
    die "a cluster $version/$CLUSTER exists that this script did not create; not touching it"
fi
if [ -d "$conf" ] && [ -f "$data/standby.signal" ] && ! pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT"; then
    log "starting the existing replica $version/$CLUSTER"
    kd_as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" start 9>&- || true
    for _ in $(seq 1 20); do
        streaming && break
        sleep 0.5
    done
    if streaming; then
        resume_replay
        log "replica streaming on 127.0.0.1:$REPLICA_PORT"
        exit 0
    fi
fi

if [ -d "$conf" ]; then
    log "dropping the replica $version/$CLUSTER, which does not stream"
    kd_as_root pg_dropcluster --stop "$version" "$CLUSTER" 9>&-
fi
# Left over from a run that died between creating and configuring: ours by its name.
[ -d "$data" ] && kd_as_root rm -rf "$data"

log "creating the replica $version/$CLUSTER on 127.0.0.1:$REPLICA_PORT"
kd_as_root pg_createcluster "$version" "$CLUSTER" -p "$REPLICA_PORT" >/dev/null
# A hot standby refuses to start with fewer of these than its primary has.
settings="listen_addresses = '127.0.0.1'
hot_standby = on"
for s in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
    settings+=$'\n'"$s = $(q "$PRIMARY_PORT" "show $s")"
done
printf '# Written by scripts/replica.sh (kammerdesk-dev).\n%s\n' "$settings" |
    kd_as_root tee "$conf/conf.d/$MARKER" >/dev/null
kd_as_root sed -i '1i host all postgres 127.0.0.1/32 trust   # kammerdesk-dev' "$conf/pg_hba.conf"

kd_as_root rm -rf "$data"
kd_as_root install -d -o postgres -g postgres -m 700 "$data"
# --checkpoint=fast: without it pg_basebackup waits for the primary's next spread checkpoint.
as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" \
    -R -X stream --checkpoint=fast --no-password
kd_as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" start 9>&-
for _ in $(seq 1 240); do
    streaming && break
    sleep 0.5
done
streaming || die "the replica on 127.0.0.1:$REPLICA_PORT does not stream; see /var/log/postgresql/postgresql-$version-$CLUSTER.log"
log "replica streaming on 127.0.0.1:$REPLICA_PORT"
