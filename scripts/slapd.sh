#!/usr/bin/env bash
# A private OpenLDAP directory on 127.0.0.1:3389 (StartTLS required, the test CA's certificate)
# with a few clerks, and the TLS cluster of scripts/tls-postgres.sh (port 5434) signing the
# group kammer_verzeichnis in through PostgreSQL's own `ldap` method (search+bind). For the
# tests of directory sign-in (crates/kammer-core/tests/integration/directory.rs). Run scripts/tls-postgres.sh
# first. Idempotent: when slapd answers and pg_hba.conf has the lines, it does nothing (well
# under a second).
#
# What it changes on this machine (local development only):
#   1. Installs Debian's slapd and ldap-utils if missing, with slapd/no_configuration preseeded:
#      the system's own slapd stays unconfigured and is not used.
#   2. $KD_SLAPD_DIR (default /var/tmp/kammerdesk-slapd): slapd.conf, the database, the pid
#      file; slapd runs from there as user openldap. Entries (dc=kammer,dc=test):
#        cn=postgres-suche                 the account PostgreSQL searches with
#        uid=ldap.sb, uid=ldap.hl          clerks (ou=mitarbeiter)
#        uid=ldap.alt                      a disabled clerk: employeeType=gesperrt, which the
#                                          search filter excludes (his password still binds)
#   3. In the cluster 5434: the group role kammer_verzeichnis, the ldap line in pg_hba.conf,
#      and LDAPTLS_CACERT in the cluster's `environment` file (libldap checks slapd's
#      certificate against the test CA), then a restart or reload.
# Undo: `kill $(cat /var/tmp/kammerdesk-slapd/slapd.pid)`, `rm -r /var/tmp/kammerdesk-slapd`.
#
# The passwords are test fixtures, repeated in crates/kammer-core/tests/integration/directory.rs.
set -euo pipefail

PORT=3389
PG_PORT=5434
BASE="dc=kammer,dc=test"
DIR="${KD_SLAPD_DIR:-/var/tmp/kammerdesk-slapd}"
TLS_DIR="${KD_TLS_DIR:-$HOME/.cache/kammerdesk-tls}"
SEARCH_DN="cn=postgres-suche,$BASE"
SEARCH_PW="Suche-im-Verzeichnis-2026"
HBA_MARK="# kammerdesk-directory: scripts/slapd.sh"

# shellcheck source=scripts/lib/test-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh" slapd

pg() { psql "postgres://postgres@localhost:$PG_PORT/postgres?sslmode=verify-full&sslrootcert=$TLS_DIR/ca.pem" -w -X -tAq "$@"; }

slapd_answers() {
    LDAPTLS_CACERT="$TLS_DIR/ca.pem" LDAPTLS_REQCERT=demand \
        ldapwhoami -x -ZZ -H "ldap://127.0.0.1:$PORT" -D "$SEARCH_DN" -w "$SEARCH_PW" >/dev/null 2>&1
}

kd_one_run_at_a_time

[ -f "$TLS_DIR/ca.pem" ] || die "no test CA in $TLS_DIR (run scripts/tls-postgres.sh first)"
pg -c 'select 1' >/dev/null 2>&1 || die "the TLS cluster on port $PG_PORT does not answer (run scripts/tls-postgres.sh first)"
hba="$(pg -c 'show hba_file')"
conf_dir="$(dirname "$hba")"

if slapd_answers && kd_as_root grep -qF "$HBA_MARK" "$hba" &&
    kd_as_root grep -q '^LDAPTLS_CACERT' "$conf_dir/environment" &&
    [ "$(pg -c "select count(*) from pg_roles where rolname = 'kammer_verzeichnis'")" = 1 ]; then
    exit 0
fi

# 1. The packages, without configuring the system's slapd.
if ! command -v slapd >/dev/null || ! command -v ldapwhoami >/dev/null; then
    log "installing slapd and ldap-utils (the system's slapd stays unconfigured)"
    echo "slapd slapd/no_configuration boolean true" | kd_as_root debconf-set-selections
    kd_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slapd ldap-utils >/dev/null
fi
SLAPD="$(command -v slapd || echo /usr/sbin/slapd)"

# 2. Our slapd: rebuilt from scratch (a second's work) unless it already answers.
if ! slapd_answers; then
    # Our earlier slapd, if its pid is still a slapd (after a reboot the number may be another's).
    pid="$(cat "$DIR/slapd.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = slapd ]; then
        kd_as_root kill "$pid" || true
        for _ in $(seq 1 20); do
            [ -e "/proc/$pid" ] || break
            sleep 0.25
        done
    fi
    log "setting up slapd in $DIR on 127.0.0.1:$PORT"
    kd_as_root rm -rf "$DIR"
    kd_as_root install -d -o openldap -g openldap -m 755 "$DIR"
    kd_as_root install -d -o openldap -g openldap -m 700 "$DIR/db"
    kd_as_root install -o openldap -g openldap -m 644 "$TLS_DIR/ca.pem" "$DIR/ca.pem"
    kd_as_root install -o openldap -g openldap -m 644 "$TLS_DIR/server.pem" "$DIR/server.pem"
    kd_as_root install -o openldap -g openldap -m 600 "$TLS_DIR/server.key" "$DIR/server.key"
    hash() { slappasswd -h '{SSHA}' -s "$1"; }
    kd_as_root tee "$DIR/slapd.conf" >/dev/null <<EOF
# Written by scripts/slapd.sh (kammerdesk-dev): a throw-away directory for tests.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $DIR/slapd.pid
argsfile $DIR/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile $DIR/ca.pem
TLSCertificateFile $DIR/server.pem
TLSCertificateKeyFile $DIR/server.key
# Nothing without TLS: a password never crosses in clear.
security tls=1
disallow bind_anon

database mdb
maxsize 16777216
suffix "$BASE"
rootdn "cn=admin,$BASE"
rootpw $(hash "$(head -c 24 /dev/urandom | base64)")
directory $DIR/db
access to attrs=userPassword
    by anonymous auth
    by * none
access to *
    by dn.exact="$SEARCH_DN" read
    by anonymous auth
    by * none
EOF
    person() { # uid, cn, sn, password, extra line
        printf 'dn: uid=%s,ou=mitarbeiter,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nuserPassword: %s\n%s\n' \
            "$1" "$BASE" "$1" "$2" "$3" "$(hash "$4")" "$5"
    }
    {
        printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: kammer\no: Handwerkskammer Test\n\n' "$BASE"
        printf 'dn: ou=mitarbeiter,%s\nobjectClass: organizationalUnit\nou: mitarbeiter\n\n' "$BASE"
        printf 'dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: postgres-suche\nuserPassword: %s\n\n' \
            "$SEARCH_DN" "$(hash "$SEARCH_PW")"
        person ldap.sb "Sabine Brandt" Brandt "Verzeichnis-Passwort-sb" ""
        person ldap.hl "Hans Lange" Lange "Verzeichnis-Passwort-hl" ""
        person ldap.alt "Alfred Alt" Alt "Verzeichnis-Passwort-alt" "employeeType: gesperrt"
    } | kd_as_root tee "$DIR/seed.ldif" >/dev/null
    kd_as_root runuser -u openldap -- slapadd -q -f "$DIR/slapd.conf" -l "$DIR/seed.ldif"
    kd_as_root "$SLAPD" -f "$DIR/slapd.conf" -h "ldap://127.0.0.1:$PORT/" -u openldap -g openldap 9>&-
    for _ in $(seq 1 40); do
        slapd_answers && break
        sleep 0.25
    done
    slapd_answers || die "slapd on 127.0.0.1:$PORT does not answer over StartTLS"
fi

# 3. PostgreSQL asks the directory for the group kammer_verzeichnis: search (as
#    postgres-suche, for a clerk not marked gesperrt) and bind as the clerk, over StartTLS.
pg -c "do \$\$ begin create role kammer_verzeichnis nologin; exception when duplicate_object then null; end \$\$"
kd_as_root install -o postgres -g postgres -m 644 "$TLS_DIR/ca.pem" "$conf_dir/ldap-ca.pem"
restart=false
if ! kd_as_root grep -q '^LDAPTLS_CACERT' "$conf_dir/environment"; then
    # libldap in the server checks slapd's certificate against this CA (ldaptls=1).
    echo "LDAPTLS_CACERT = '$conf_dir/ldap-ca.pem'" | kd_as_root tee -a "$conf_dir/environment" >/dev/null
    restart=true
fi
line="hostssl all +kammer_verzeichnis 127.0.0.0/8 ldap ldapserver=127.0.0.1 ldapport=$PORT ldaptls=1 ldapbasedn=\"ou=mitarbeiter,$BASE\" ldapbinddn=\"$SEARCH_DN\" ldapbindpasswd=\"$SEARCH_PW\" ldapsearchfilter=\"(&(uid=\$username)(objectClass=inetOrgPerson)(!(employeeType=gesperrt)))\""
if ! kd_as_root grep -qF "$HBA_MARK" "$hba"; then
    kd_as_root grep -q '^# kammerdesk-directory$' "$hba" ||
        die "$hba lacks the line '# kammerdesk-directory' that scripts/tls-postgres.sh writes"
    log "adding the directory's line to $hba"
    tmp="$(mktemp)"
    # shellcheck disable=SC2016 # awk's own $0, not the shell's
    kd_as_root awk -v mark="$HBA_MARK" -v line="$line" '$0 == "# kammerdesk-directory" { print mark; print line } { print }' "$hba" >"$tmp"
    kd_as_root install -o postgres -g postgres -m 640 "$tmp" "$hba"
    rm -f "$tmp"
fi
version="$(pg -c "select current_setting('server_version_num')::int / 10000")"
if $restart; then
    kd_as_root pg_ctlcluster --skip-systemctl-redirect "$version" tls restart 9>&-
else
    pg -c 'select pg_reload_conf()' >/dev/null
fi
for _ in $(seq 1 40); do
    pg -c 'select 1' >/dev/null 2>&1 && break
    sleep 0.25
done
[ -z "$(pg -c 'select error from pg_hba_file_rules where error is not null')" ] ||
    die "pg_hba.conf has errors: $(pg -c 'select line_number, error from pg_hba_file_rules where error is not null')"
log "directory on 127.0.0.1:$PORT; the cluster on port $PG_PORT signs kammer_verzeichnis in through it"
