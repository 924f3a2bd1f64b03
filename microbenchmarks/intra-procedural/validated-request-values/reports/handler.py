import json
import uuid
from datetime import datetime
from pathlib import Path

from dateutil import parser

ROOT = "/mnt/reports"


def get_report(event, context):
    params = event.get("queryStringParameters") or {}
    day = params["day"]
    datetime.strptime(day, "%Y-%m-%d")
    report_id = params["id"]
    uuid.UUID(report_id)
    since = parser.parse(params["since"]).strftime("%Y%m%d")
    template = Path("/opt/templates/summary_v2.html").stem.replace(params.get("variant", ""), "")
    with open(f"{ROOT}/{day}/{report_id}.json") as f, open(f"{ROOT}/index/{since}.json") as g, open(f"/opt/templates/{template}.html") as t:
        with open(f"{ROOT}/regions/{params['region']}/summary.json") as r:
            body = {"report": json.load(f), "index": json.load(g), "template": t.read(), "region": json.load(r)}
    return {"statusCode": 200, "body": json.dumps(body)}
