#!/bin/sh
# Runs Pysa (pyre-check) on one application folder: `run.sh APP OUT` writes
# Pysa's taint-output.json to OUT.
#
# Models: all of pyre-check's shipped taint models (taint/: the taint.config
# rules and the stdlib sources and sinks such as os.system, subprocess, eval,
# pickle.loads, sqlite3, urlopen, requests; third_party_taint/: pymysql,
# psycopg2, dill, ...), plus ours in models/ (the `event` parameter of a
# Lambda handler is user-controlled).
#
# Types: Pysa takes its call graph from Pyrefly. Run with no configuration,
# Pyrefly uses its `basic` preset, which does not check the bodies of
# unannotated functions: Lambda handlers (`def handler(event, context)`) then
# get no types, every call in them is unresolved and no sink is ever reached.
# So Pyrefly is run here first, checking unannotated functions and inferring
# their return types (`conn = get_connection(); conn.cursor().execute(q)`),
# with the app folder as the import root (as Lambda's runtime imports it) and
# Pyrefly's bundled typeshed and third-party stubs (requests, PyYAML, boto3,
# pymysql, psycopg2, ...) standing in for the app's installed dependencies;
# Pysa then reads that report (--pyrefly-results).
set -eu
app=$(cd "$1" && pwd)
case "$2" in /*) out="$2" ;; *) out="$(pwd)/$2" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pysa-run.XXXXXX")
# PYSA_KEEP=1 keeps the work folder (logs, Pyrefly report, Pysa results).
if [ -n "${PYSA_KEEP:-}" ]; then echo "pysa: work folder $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
# pyre-check's models are data files under <prefix>/lib/pyre_check, beside the
# `pyre`, `pyre.bin` and `pyrefly` it installs into <prefix>/bin (a venv of its
# own, as .ci/run makes, or the Python that `python3` runs).
pyre_path=$(command -v pyre) || { echo "pysa: pyre is not on PATH (pip install pyre-check)" >&2; exit 1; }
bin=$(dirname "$(readlink -f "$pyre_path")")
[ -x "$bin/pyre.bin" ] && PATH="$bin:$PATH"
lib=""
for d in "$bin/../lib/pyre_check" \
    "$(python3 -c 'import sys; print(sys.prefix)' 2>/dev/null)/lib/pyre_check" \
    "$(python3 -c 'import site; print(site.USER_BASE)' 2>/dev/null)/lib/pyre_check"; do
    if [ -d "$d/taint" ]; then lib=$(cd "$d" && pwd); break; fi
done
[ -n "$lib" ] || { echo "pysa: pyre-check's taint models (lib/pyre_check) not found" >&2; exit 1; }
fail() {
    echo "pysa: $1 failed; last lines of its log:" >&2
    tail -20 "$2" >&2
    exit 1
}
# Both tools write into the folder they check (.pyre/, the configuration):
# analyse a copy of the app so that nothing is written into the suite.
mkdir "$work/app" "$work/pyrefly"
cp -R "$app"/. "$work/app"
cd "$work/app"
# SAM functions import their siblings from their CodeUri folder.
search="--search-path=."
for uri in $(sed -n 's/^[[:space:]]*CodeUri:[[:space:]]*["'\'']\{0,1\}\([^"'\'' #]*\).*/\1/p' template.yaml template.yml 2>/dev/null | sort -u); do
    [ -d "$uri" ] && search="$search --search-path=$uri"
done
# Exit code 1 means type errors, which are expected and harmless here.
rc=0
pyrefly check --check-unannotated-defs --infer-return-types=checked --skip-interpreter-query --python-version=3.12 $search \
    --report-pysa "$work/pyrefly" --output-format=json --output="$work/type-errors.json" \
    >"$work/pyrefly.log" 2>&1 || rc=$?
[ "$rc" -le 1 ] || fail "pyrefly (exit $rc)" "$work/pyrefly.log"
cat > .pyre_configuration <<JSON
{
  "source_directories": ["."],
  "taint_models_path": ["$lib/taint", "$lib/third_party_taint", "$here/models"]
}
JSON
pyre --noninteractive analyze --no-verify --group-missing-module-errors \
    --pyrefly-results "$work/pyrefly" --save-results-to "$work/results" \
    >"$work/pyre.log" 2>&1 || fail "pyre analyze" "$work/pyre.log"
# PYSA_FILTERS=shipped keeps only the issues that pass pyre-check's own
# high-signal filters (lib/pyre_check/pysa_filters; see filter.py).
if [ "${PYSA_FILTERS:-}" = shipped ]; then
    python3 "$here/filter.py" "$lib/pysa_filters" <"$work/results/taint-output.json" >"$out"
else
    cp "$work/results/taint-output.json" "$out"
fi
