import json
import logging
import os

import requests

logger = logging.getLogger()
logger.setLevel(logging.INFO)

BUCKET = os.environ["BUCKET"]


def handler(event, context):
    """GET /profiles/{userId}: account data from the users service plus the public profile card."""
    user_id = event["pathParameters"]["userId"]

    user = requests.get(os.environ["USERS_API_URL"] + "/users/" + user_id, timeout=5)
    if user.status_code == 404:
        return {"statusCode": 404, "body": json.dumps({"error": "no such user"})}
    user.raise_for_status()

    key = f"cards/{user_id}.json"
    card = requests.get(f"https://{BUCKET}.s3.amazonaws.com/{key}", timeout=5)
    if not card.ok:
        logger.info("no profile card for %s (HTTP %d)", user_id, card.status_code)

    profile = {"user": user.json(), "card": card.json() if card.ok else None}
    return {"statusCode": 200, "body": json.dumps(profile)}
