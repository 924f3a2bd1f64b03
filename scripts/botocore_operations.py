#!/usr/bin/env python3
"""Writes harness/data/botocore-operations.csv: every (service, operation)
pair of botocore's service models, operations in boto3's snake_case.

Usage: python3 scripts/botocore_operations.py [--version X.Y.Z] [--out PATH]

Downloads the botocore wheel from PyPI with `pip download` (no install),
reads botocore/data/<service>/<api-version>/service-2.json (the newest API
version of each service) straight from the wheel, and converts operation
names the way botocore does (botocore.xform_name).
"""
import argparse
import csv
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

# botocore.xform_name, copied so the script does not need botocore installed.
_first = re.compile(r"(.)([A-Z][a-z]+)")
_special = re.compile(r"[A-Z]{2,}s$")
_end = re.compile(r"([a-z0-9])([A-Z])")
_PARTIAL_RENAMES = {
    "ipv-6": "ipv6", "ipv_6": "ipv6", "s_3_resources": "s3_resources", "s3_resources": "s3_resources",
}


def xform_name(name, sep="_"):
    if sep in name:
        return name
    matched = _special.search(name)
    if matched is not None:
        name = name[: -len(matched.group())] + sep + matched.group().lower()
    s1 = _first.sub(r"\1" + sep + r"\2", name)
    out = _end.sub(r"\1" + sep + r"\2", s1).lower()
    for old, new in _PARTIAL_RENAMES.items():
        if old in out:
            out = out.replace(old, new)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--version", default=None)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "harness", "data", "botocore-operations.csv"))
    args = ap.parse_args()
    spec = "botocore" + (f"=={args.version}" if args.version else "")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", tmp, spec], check=True)
        wheel = glob.glob(os.path.join(tmp, "botocore-*.whl"))[0]
        version = os.path.basename(wheel).split("-")[1]
        xform = xform_name
        try:  # botocore's own function, imported from the wheel (pure Python).
            sys.path.insert(0, wheel)
            from botocore import xform_name as xform
        except Exception as e:  # noqa: BLE001
            print(f"using the bundled copy of xform_name ({e})", file=sys.stderr)
        newest = {}
        with zipfile.ZipFile(wheel) as z:
            for n in z.namelist():
                m = re.match(r"botocore/data/([^/]+)/([^/]+)/service-2\.json(\.gz)?$", n)
                if m and (m.group(1) not in newest or m.group(2) > newest[m.group(1)][0]):
                    newest[m.group(1)] = (m.group(2), n)
            rows = set()
            for service, (_, n) in newest.items():
                raw = z.read(n)
                if n.endswith(".gz"):
                    import gzip
                    raw = gzip.decompress(raw)
                model = json.loads(raw)
                for op in model.get("operations", {}):
                    rows.add((service, xform(op)))
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["service", "operation"])
        w.writerows(sorted(rows))
    print(f"botocore {version}: {len(newest)} services, {len(rows)} operations -> {args.out}")


if __name__ == "__main__":
    main()
