#!/bin/sh
# Runs Pysa (pyre-check) on one application folder: `run.sh APP OUT` writes
# Pysa's taint-output.json to OUT. Uses pyre-check's own taint models
# (stdlib sinks such as os.system, subprocess, eval) plus ours in models/
# (the `event` parameter of Lambda handlers is user-controlled).
set -eu
app="$1"
out="$2"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lib=$(python3 -c 'import os, sys; print(os.path.join(sys.prefix, "lib", "pyre_check"))')
# Pyre's type checker (pyrefly) checks the current folder: analyse a copy of
# the app so that nothing is written into the suite.
mkdir "$work/app"
cp -R "$app"/. "$work/app"
cat > "$work/app/.pyre_configuration" <<JSON
{
  "source_directories": ["."],
  "taint_models_path": ["$lib/taint", "$here/models"],
  "typeshed": "$lib/typeshed",
  "site_package_search_strategy": "none"
}
JSON
cd "$work/app"
pyre --noninteractive analyze --no-verify --save-results-to "$work/results" >"$work/pyre.log" 2>&1 || { tail -5 "$work/pyre.log" >&2; exit 1; }
cp "$work/results/taint-output.json" "$out"
