import json
import logging
import subprocess

logger = logging.getLogger()
logger.setLevel(logging.INFO)

ALLOWED_REPORTS = ("daily", "weekly", "monthly")
ALLOWED_FORMATS = ("csv", "json")


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    report = params.get("report", "daily")
    fmt = params.get("format", "csv")

    valid = True
    if report not in ALLOWED_REPORTS:
        valid = False
    if fmt not in ALLOWED_FORMATS:
        valid = False
    if not valid:
        return {"statusCode": 400, "body": json.dumps({"error": "unknown report or format"})}

    output = subprocess.check_output("/opt/bin/render-report --kind " + report + " --format " + fmt, shell=True)
    return {"statusCode": 200, "body": output.decode()}
