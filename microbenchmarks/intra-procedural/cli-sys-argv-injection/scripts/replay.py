#!/usr/bin/env python3
"""Replay a saved webhook event against the function locally.

    python scripts/replay.py events/github-push.json
"""
import subprocess
import sys

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: replay.py EVENT_FILE")
    event_file = sys.argv[1]
    status = subprocess.call("npx serverless invoke local --function ingest --path " + event_file, shell=True)
    sys.exit(status)
