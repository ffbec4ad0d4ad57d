#!/usr/bin/env bash
# Sourced, not run: starts Xvfb on a free display, exports DISPLAY, and stops it when the
# sourcing script exits (it sets an EXIT/INT/TERM trap; the sourcing script must not set
# its own). Used by scripts/e2e.sh and scripts/bench-scale.sh (the desk timing), which drive
# the built desk through tauri-driver and WebKitWebDriver.
#
#   source scripts/lib/xvfb.sh
#   kd_xvfb_start            # then DISPLAY=:N is exported

KD_XVFB_PID=""
KD_XVFB_DISPLAY_FILE=""

kd_xvfb_stop() {
    if [ -n "$KD_XVFB_PID" ]; then
        kill -TERM "$KD_XVFB_PID" 2>/dev/null || true
        wait "$KD_XVFB_PID" 2>/dev/null || true
        KD_XVFB_PID=""
    fi
    if [ -n "$KD_XVFB_DISPLAY_FILE" ]; then
        rm -f "$KD_XVFB_DISPLAY_FILE"
        KD_XVFB_DISPLAY_FILE=""
    fi
}

kd_xvfb_start() {
    trap kd_xvfb_stop EXIT INT TERM
    KD_XVFB_DISPLAY_FILE="$(mktemp)"
    # -displayfd: Xvfb picks a free display number and writes it to fd 3 once it accepts clients.
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$KD_XVFB_DISPLAY_FILE" 2>/dev/null &
    KD_XVFB_PID=$!
    local _
    for _ in $(seq 1 100); do
        [ -s "$KD_XVFB_DISPLAY_FILE" ] && break
        kill -0 "$KD_XVFB_PID" 2>/dev/null || { echo "Xvfb did not start" >&2; return 1; }
        sleep 0.1
    done
    [ -s "$KD_XVFB_DISPLAY_FILE" ] || { echo "Xvfb gave no display number" >&2; return 1; }
    DISPLAY=":$(head -n1 "$KD_XVFB_DISPLAY_FILE" | tr -d '[:space:]')"
    export DISPLAY
    echo "DISPLAY=$DISPLAY" >&2
}
