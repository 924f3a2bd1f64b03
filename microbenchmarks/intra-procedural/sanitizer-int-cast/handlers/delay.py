import json
import os
import time

MAX_SECONDS = 25


def handler(event, context):
    """Test endpoint used by client teams to simulate a slow upstream."""
    body = json.loads(event.get("body") or "{}")
    started = time.monotonic()

    os.system("sleep %d" % int(body["seconds"]))

    return {
        "statusCode": 200,
        "body": json.dumps({"sleptFor": round(time.monotonic() - started, 3), "max": MAX_SECONDS}),
    }
