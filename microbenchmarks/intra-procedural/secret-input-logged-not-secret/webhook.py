import hashlib
import hmac
import json
import logging
import os

import boto3

logger = logging.getLogger()
logger.setLevel(os.environ["LOG_LEVEL"])

_secret_cache = {}


def webhook_secret():
    if "value" not in _secret_cache:
        response = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["GITHUB_WEBHOOK_SECRET_ARN"])
        _secret_cache["value"] = response["SecretString"].encode()
    return _secret_cache["value"]


def valid_signature(body, header):
    expected = "sha256=" + hmac.new(webhook_secret(), body.encode(), hashlib.sha256).hexdigest()
    logger.debug("expected signature %s, got %s", expected, header)
    return hmac.compare_digest(expected, header or "")


def receive(event, context):
    body = event.get("body") or ""
    logger.info("webhook delivery %s: %s", event["headers"].get("X-GitHub-Delivery"), body)
    if not valid_signature(body, event["headers"].get("X-Hub-Signature-256")):
        return {"statusCode": 401, "body": json.dumps({"error": "bad signature"})}
    payload = json.loads(body)
    print("push to", payload.get("ref"), "posting to", os.environ["SLACK_CHANNEL"])
    return {"statusCode": 200, "body": json.dumps({"received": payload.get("after")})}
