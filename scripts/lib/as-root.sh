# shellcheck shell=bash
# Runs a command as root: directly when this is root, else through sudo. Sourced by the
# scripts that install packages or touch PostgreSQL's clusters.
kd_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        printf 'need root for: %s (neither root nor sudo available)\n' "$*" >&2
        return 1
    fi
}
