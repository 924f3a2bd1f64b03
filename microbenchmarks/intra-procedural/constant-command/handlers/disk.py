import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    logger.info("disk usage requested by %s (ticket %s)", body.get("requester"), body.get("ticket"))

    status = os.system("df -h /tmp")

    return {"statusCode": 200, "body": json.dumps({"exitStatus": status, "checked": "/tmp"})}
