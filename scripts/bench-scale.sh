#!/usr/bin/env bash
# The scale benchmark: the desk's hot operations at every German chamber's data at once, each
# through the core as a demo clerk's own login and beside the same SQL run by pgbench as that
# login (the export beside psql \copy), printed as a Markdown table; then the built desk itself against the same database (launch, sign-in,
# Suche, queue, resident memory: tests/e2e/desk_scale.rs under Xvfb), printed as a second
# table ("desk at scale"). See docs/performance.md.
#
#   scripts/bench-scale.sh                 # 1,000,000 Betriebe, 5,000,000 Anträge (release build)
#   scripts/bench-scale.sh --betriebe 100000 --antraege 500000 --iterations 500
#   scripts/bench-scale.sh --no-desk       # only the first table
#   scripts/bench-scale.sh --explain FILE  # the plans to FILE instead of the target directory
#   scripts/bench-scale.sh --smoke         # tiny sizes, debug build, throw-away database (CI);
#                                          # without the desk timing
#
# The first full run seeds kammerdesk_scale_1000000_5000000 (about 10 minutes here) and keeps
# it; later runs reuse it while its schema is current (a database from an older schema is
# seeded anew). Each full run approves and resends a few hundred Anträge of it. The plans of
# every measured statement go to $CARGO_TARGET_DIR/bench-scale/<database>-plans.md.
# Drop it with: dropdb -h 127.0.0.1 -U postgres kammerdesk_scale_1000000_5000000
# The desk timing: KD_DESK_SCALE_LAUNCHES apps (default 5), KD_DESK_SCALE_SEARCHES look-ups of
# each kind per app (default 8).
set -euo pipefail
# --explain FILE is relative to where this was called from; cargo runs the benchmark in
# crates/kammer-core, so it gets the absolute path.
caller_dir="$PWD"
args=()
while [ "$#" -gt 0 ]; do
    if [ "$1" = "--explain" ] && [ "$#" -ge 2 ]; then
        case "$2" in
            /*) args+=("$1" "$2") ;;
            *) args+=("$1" "$caller_dir/$2") ;;
        esac
        shift
    else
        args+=("$1")
    fi
    shift
done
set -- ${args[@]+"${args[@]}"}
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
# DATABASE_URL is the compile-time database of the sqlx macros (without .sqlx/); the
# benchmark creates its own database on the server it is given as a superuser.
export DATABASE_URL="$KD_DATABASE_URL"
if [ "${1:-}" = "--smoke" ]; then
    shift
    exec cargo test -p kammer-core --bench scale -- --server "$PG_URL_BASE/postgres" \
        --betriebe 400 --antraege 3000 --iterations 40 --writes 10 --drop "$@"
fi

step() { printf '\n==> %s\n' "$*" >&2; }

# The benchmark's own arguments, less --no-desk; the sizes name the database both use.
desk=1
betriebe=1000000
antraege=5000000
server="$PG_URL_BASE/postgres"
bench_args=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        --no-desk) desk=0 ;;
        --drop) desk=0; bench_args+=("$1") ;;
        --betriebe | --antraege | --server)
            [ "$#" -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
            case "$1" in
                --betriebe) betriebe="${2//_/}" ;;
                --antraege) antraege="${2//_/}" ;;
                --server) server="$2" ;;
            esac
            [ "$1" = --server ] || bench_args+=("$1" "$2")
            shift
            ;;
        *) bench_args+=("$1") ;;
    esac
    shift
done

cargo bench -p kammer-core --bench scale -- --server "$server" "${bench_args[@]}"
[ "$desk" = 1 ] || exit 0

step "desk at scale: build the UI and the app (as scripts/e2e.sh does)"
# The same build as scripts/e2e.sh (debug app, optimised dependencies, bundled front end),
# so both share it.
CARGO_E2E=(--workspace --features kammerdesk/custom-protocol)
npm --prefix ui run build >&2
cargo test "${CARGO_E2E[@]}" --no-run
SHOTS="$CARGO_TARGET_DIR/e2e-screenshots"
mkdir -p "$SHOTS"
export KD_E2E_SCREENSHOTS="$SHOTS"
rm -f "$SHOTS/desk-at-scale.md"

step "desk at scale: Xvfb on a free display"
# shellcheck source=scripts/lib/xvfb.sh
source scripts/lib/xvfb.sh
kd_xvfb_start

step "desk at scale: kammerdesk_scale_${betriebe}_${antraege}"
# The benchmark's server URL with the scale database's name in place of its database.
export KD_DESK_SCALE_URL="${server%/*}/kammerdesk_scale_${betriebe}_${antraege}"
cargo test "${CARGO_E2E[@]}" --test e2e -- --ignored --exact desk_scale::desk_at_scale \
    --test-threads=1 --nocapture >&2
echo
cat "$SHOTS/desk-at-scale.md"
