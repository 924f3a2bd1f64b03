"""Applies pyre-check's shipped high-signal filters to a taint-output.json.

`python3 filter.py FILTERS_DIR < taint-output.json > filtered.json`

pyre-check ships, in lib/pyre_check/pysa_filters, one filter per rule code
(5001 shell injection, 5005 SQL, 6066 deserialization, ...) meant for triage
in SAPP: Pysa does not sanitize through, say, `shlex.quote` or `int()`, it
marks the flow with a feature (`always-via:shell_escape`, `always-type:scalar`)
and the filter drops such issues. Here an issue is kept when its code has no
shipped filter, or when it passes the filter of its code: every feature clause
(`any of`, `all of`, `none of` over the issue's features written as
`name:value`) and the trace lengths (from the sources, to the sinks). Other
records pass unchanged. run.sh applies it when PYSA_FILTERS=shipped.
"""

import glob
import json
import os
import sys


def load_filters(directory):
    by_code = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path) as f:
            flt = json.load(f)
        for code in flt.get("codes", []):
            by_code.setdefault(code, []).append(flt)
    return by_code


def features_of(issue):
    names = set()
    for feature in issue.get("features", []):
        for key, value in feature.items():
            names.add(f"{key}:{value}")
    return names


def trace_length(issue, trace):
    """The shortest trace length of the issue's roots in `trace` (0: the
    source or sink is in the issue's callable)."""
    lengths = [
        kind.get("length", 0)
        for t in issue.get("traces", [])
        if t.get("name") == trace
        for root in t.get("roots", [])
        for kind in root.get("kinds", [])
    ]
    return min(lengths, default=0)


def passes(issue, flt):
    features = features_of(issue)
    for clause in flt.get("features", []):
        wanted = set(clause.get("features", []))
        mode = clause.get("mode")
        if mode == "any of" and not features & wanted:
            return False
        if mode == "all of" and not wanted <= features:
            return False
        if mode == "none of" and features & wanted:
            return False
    for key, trace in (("traceLengthFromSources", "forward"), ("traceLengthToSinks", "backward")):
        bounds = flt.get(key)
        if bounds:
            low, high = bounds
            if not low <= trace_length(issue, trace) <= high:
                return False
    return True


def main():
    by_code = load_filters(sys.argv[1])
    for line in sys.stdin:
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("kind") == "issue":
            issue = record["data"]
            filters = by_code.get(issue.get("code"))
            if filters and not any(passes(issue, f) for f in filters):
                continue
        sys.stdout.write(line if line.endswith("\n") else line + "\n")


if __name__ == "__main__":
    main()
