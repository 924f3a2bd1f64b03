import hashlib
import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)

KNOWN_PROVIDERS = {"github", "stripe", "slack"}


def handler(event, context):
    provider = event["pathParameters"]["provider"]
    if provider not in KNOWN_PROVIDERS:
        return {"statusCode": 404, "body": json.dumps({"error": "unknown provider"})}

    body = event.get("body") or ""
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    logger.info("webhook from %s, %d bytes, sha256 %s", provider, len(body), digest)
    return {"statusCode": 202, "body": json.dumps({"received": digest})}
