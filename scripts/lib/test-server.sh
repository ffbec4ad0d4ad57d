# shellcheck shell=bash
# Sourced, not run, by the scripts that set up a local server for the tests (replica.sh,
# pgbouncer.sh, tls-postgres.sh, slapd.sh), with the script's name as its argument:
#
#   # shellcheck source=scripts/lib/test-server.sh
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh" replica
#
# It gives them `log` and `die` (lines marked with that name, on stderr), `kd_as_root`
# (lib/as-root.sh), and `kd_one_run_at_a_time`.

KD_SERVER_SCRIPT="${1:?usage: source scripts/lib/test-server.sh <name of the script>}"

# shellcheck source=scripts/lib/as-root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as-root.sh"

log() { printf '[%s] %s\n' "$KD_SERVER_SCRIPT" "$*" >&2; }
die() {
    log "$*"
    exit 1
}

# Two runs at once (a test run and CI) must not both set the server up: waits up to five
# minutes for /tmp/kammerdesk-<name>.lock, which descriptor 9 then holds until the script ends.
# Every server started while the lock is held gets `9>&-`: a daemon that inherits the
# descriptor keeps the lock for as long as it runs, and the next run waits five minutes and dies.
kd_one_run_at_a_time() {
    local lock="/tmp/kammerdesk-$KD_SERVER_SCRIPT.lock"
    exec 9>"$lock"
    flock -w 300 9 || die "another scripts/$KD_SERVER_SCRIPT.sh has held $lock for 5 minutes"
}
