#!/usr/bin/env bash
# End-to-end tests: the built desk driven through tauri-driver + WebKitWebDriver under Xvfb
# (tests/e2e/). Builds the UI, kammerctl and the app with its bundled front end, starts a
# virtual display, runs the tests (each starts its own demo database, SMTP server and
# tauri-driver) and stops everything it started. Screenshots and timings:
# $CARGO_TARGET_DIR/e2e-screenshots/. Extra arguments go to the test binary, e.g.
#   scripts/e2e.sh hotline          # only the tests whose name contains "hotline"
# scripts/test.sh runs it as its last step.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

step() { printf '\n==> %s\n' "$*" >&2; }

export DATABASE_URL="$KD_DATABASE_URL"
# The same package selection as `cargo test --workspace` in scripts/test.sh, so cargo resolves
# the same features and reuses its build; only tauri differs (custom-protocol: the app serves
# the bundled ui/dist instead of asking a dev server).
CARGO_E2E=(--workspace --features kammerdesk/custom-protocol)

step "e2e: build the UI, then the app and kammerctl"
npm --prefix ui run build
# Builds every test target, so also kammerctl (for kammer-cli's tests) beside the app
# (CARGO_BIN_EXE_kammerdesk of the e2e target).
cargo test "${CARGO_E2E[@]}" --no-run

SHOTS="$CARGO_TARGET_DIR/e2e-screenshots"
rm -rf "$SHOTS"
mkdir -p "$SHOTS"
export KD_E2E_SCREENSHOTS="$SHOTS"

step "e2e: Xvfb on a free display"
# shellcheck source=scripts/lib/xvfb.sh
source scripts/lib/xvfb.sh
kd_xvfb_start

step "e2e: the stories"
# One app at a time (the harness serialises them too); --nocapture shows the timings.
cargo test "${CARGO_E2E[@]}" --test e2e -- --test-threads=1 --nocapture "$@"

echo "screenshots and timings: $SHOTS" >&2
cat "$SHOTS/timings.txt" 2>/dev/null >&2 || true
