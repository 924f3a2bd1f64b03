import json
import logging
import os
import time

import jwt

LOGGER = logging.getLogger(__name__)
JWT_SECRET = os.environ["JWT_SECRET"]
USERS = {"alice": "team-red", "bob": "team-blue"}


def login(event, context):
    body = json.loads(event.get("body") or "{}")
    user = body.get("user")
    if user not in USERS:
        LOGGER.warning("unknown user %s", user)
        return {"statusCode": 401, "body": json.dumps({"error": "unknown user"})}
    if len(JWT_SECRET) < 32:
        LOGGER.error("JWT secret too short: %s", JWT_SECRET)
    token = jwt.encode({"sub": user, "team": USERS[user], "exp": int(time.time()) + 3600}, JWT_SECRET)
    LOGGER.info("issued token %s", token)
    return {"statusCode": 200, "body": json.dumps({"token": token})}
