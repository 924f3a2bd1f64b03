import json
import logging
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

logger = logging.getLogger()
logger.setLevel(logging.INFO)

USER_AGENT = "orders-webhooks/2.3 (+https://developer.example.com/webhooks)"


def handler(event, context):
    """POST /webhooks/test {"target_url": "...", "event": "order.created"}: send a sample delivery."""
    body = json.loads(event.get("body") or "{}")
    target_url = body["target_url"]
    delivery_id = str(uuid.uuid4())
    sample = {"id": delivery_id, "event": body.get("event", "ping"), "test": True, "sentAt": datetime.now(timezone.utc).isoformat()}

    req = urllib.request.Request(target_url, data=json.dumps(sample).encode("utf-8"), headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Delivery-Id": delivery_id}, method="POST")
    logger.info("test delivery %s prepared", delivery_id)

    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, answer = resp.status, resp.read(2048).decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        status, answer = err.code, err.read(2048).decode("utf-8", "replace")
    except urllib.error.URLError as err:
        return {"statusCode": 502, "body": json.dumps({"deliveryId": delivery_id, "error": str(err.reason)})}

    return {"statusCode": 200, "body": json.dumps({"deliveryId": delivery_id, "status": status, "response": answer})}
