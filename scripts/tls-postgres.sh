#!/usr/bin/env bash
# A PostgreSQL that only speaks TLS, with a certificate from a test CA, on 127.0.0.1:5434 (and
# 127.0.0.2:5434, an address the certificate does not name), for the tests of checked TLS
# (crates/kammer-core/tests/integration/tls.rs) and of directory sign-in (crates/kammer-core/tests/integration/directory.rs, after
# scripts/slapd.sh). Idempotent: when the cluster answers over TLS with a certificate that is
# valid for another week, it does nothing (well under a second).
#
# What it makes on this machine (local development only):
#   1. $KD_TLS_DIR (default ~/.cache/kammerdesk-tls): ca.pem/ca.key, the test CA;
#      server.pem/server.key, its certificate for localhost and 127.0.0.1 (not 127.0.0.2);
#      other-ca.pem, a second CA that signed nothing the server has.
#   2. A Debian cluster "tls" of the local PostgreSQL's version on port 5434 (pg_createcluster),
#      small (shared_buffers 16MB), ssl = on with the certificate above, marked by
#      conf.d/kammerdesk-tls.conf; a cluster "tls" without that marker is never touched.
#      pg_hba.conf has only hostssl lines: postgres by trust from loopback (for the tests'
#      set-up), everyone else by SCRAM; scripts/slapd.sh adds the directory's lines.
# Undo: `pg_dropcluster --stop <version> tls` and `rm -r ~/.cache/kammerdesk-tls`.
set -euo pipefail

PORT=5434
CLUSTER=tls
MARKER=kammerdesk-tls.conf
DIR="${KD_TLS_DIR:-$HOME/.cache/kammerdesk-tls}"

# shellcheck source=scripts/lib/test-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh" tls-postgres

# Answers over TLS, checked against our CA, as postgres (trust on hostssl).
ready() {
    PGSSLMODE=verify-full PGSSLROOTCERT="$DIR/ca.pem" \
        psql "postgres://postgres@localhost:$PORT/postgres" -w -X -tAqc 'select ssl from pg_stat_ssl where pid = pg_backend_pid()' 2>/dev/null |
        grep -qx t
}

certs_fresh() {
    [ -f "$DIR/ca.pem" ] && [ -f "$DIR/other-ca.pem" ] && [ -f "$DIR/server.pem" ] &&
        openssl x509 -checkend 604800 -noout -in "$DIR/server.pem" >/dev/null 2>&1
}

kd_one_run_at_a_time

if certs_fresh && ready; then
    exit 0
fi

version="$(psql postgres://postgres@127.0.0.1:5432/postgres -w -X -tAqc "select current_setting('server_version_num')::int / 10000" 2>/dev/null ||
    find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -1)"
[ -n "$version" ] || die "no PostgreSQL installed (run scripts/setup.sh first)"
conf="/etc/postgresql/$version/$CLUSTER"
data="/var/lib/postgresql/$version/$CLUSTER"

# 1. The test CA and the server's certificate (EC P-256: quick to make and to check).
if ! certs_fresh; then
    log "making the test CA and the server certificate in $DIR"
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    (
        cd "$DIR"
        rm -f ./*.pem ./*.key ./*.csr ./*.srl ./*.ext
        for ca in ca other-ca; do
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
                -subj "/O=KammerDesk Test/CN=KammerDesk Test ${ca}" -keyout "$ca.key" -out "$ca.pem" 2>/dev/null
        done
        printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' 'basicConstraints=critical,CA:FALSE' \
            'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' >server.ext
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=localhost' \
            -keyout server.key -out server.csr 2>/dev/null
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
            -extfile server.ext -out server.pem 2>/dev/null
        rm -f server.csr server.ext ca.srl other-ca.key
        chmod 644 ./*.pem
        chmod 600 ./*.key
    )
fi

# 2. The cluster: ours if marked; a foreign "tls" cluster is left alone.
if [ -d "$conf" ] && [ ! -f "$conf/conf.d/$MARKER" ]; then
    die "a cluster $version/$CLUSTER exists that this script did not create; not touching it"
fi
if [ ! -d "$conf" ]; then
    [ -d "$data" ] && kd_as_root rm -rf "$data" # left by a run that died half-way: ours by name
    log "creating the cluster $version/$CLUSTER on port $PORT"
    kd_as_root pg_createcluster "$version" "$CLUSTER" -p "$PORT" >/dev/null
fi
# The server's own copies of its certificate and key (readable by postgres only).
kd_as_root install -o postgres -g postgres -m 644 "$DIR/server.pem" "$conf/server.pem"
kd_as_root install -o postgres -g postgres -m 600 "$DIR/server.key" "$conf/server.key"
printf '%s\n' "# Written by scripts/tls-postgres.sh (kammerdesk-dev)." \
    "listen_addresses = '127.0.0.1,127.0.0.2'" \
    "ssl = on" \
    "ssl_cert_file = '$conf/server.pem'" \
    "ssl_key_file = '$conf/server.key'" \
    "ssl_min_protocol_version = 'TLSv1.2'" \
    "password_encryption = 'scram-sha-256'" \
    "shared_buffers = 16MB" \
    "max_connections = 40" \
    "max_wal_size = 256MB" \
    "fsync = off" \
    "synchronous_commit = off" |
    kd_as_root tee "$conf/conf.d/$MARKER" >/dev/null
# Only TLS: no `host` or `hostnossl` lines. scripts/slapd.sh inserts the directory's lines
# before the marker line `# kammerdesk-directory`.
if ! kd_as_root grep -q '^# kammerdesk-tls' "$conf/pg_hba.conf"; then
    printf '%s\n' "# kammerdesk-tls: written by scripts/tls-postgres.sh (local development only)" \
        "local   all  postgres                peer" \
        "hostssl all  postgres  127.0.0.0/8   trust" \
        "# kammerdesk-directory" \
        "hostssl all  all       127.0.0.0/8   scram-sha-256" |
        kd_as_root tee "$conf/pg_hba.conf" >/dev/null
fi

if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    kd_as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" restart 9>&-
else
    kd_as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" start 9>&- || true
fi
for _ in $(seq 1 40); do
    ready && break
    sleep 0.25
done
ready || die "the cluster on port $PORT does not answer over checked TLS; see /var/log/postgresql/postgresql-$version-$CLUSTER.log"
log "PostgreSQL with TLS (test CA $DIR/ca.pem) on 127.0.0.1:$PORT and 127.0.0.2:$PORT"
