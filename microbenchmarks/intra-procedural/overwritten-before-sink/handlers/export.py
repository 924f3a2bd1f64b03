import json
import os

REPORT_DIR = "/tmp/reports"


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    fmt = body.get("format", "pdf")
    # Only PDF export is supported for now; ignore what the client asked for.
    fmt = "pdf"

    os.makedirs(REPORT_DIR, exist_ok=True)
    status = os.system(f"libreoffice --headless --convert-to {fmt} --outdir {REPORT_DIR} /opt/templates/report.odt")

    return {
        "statusCode": 200 if status == 0 else 500,
        "body": json.dumps({"format": fmt, "exitStatus": status}),
    }
