import json
import os
import re
from datetime import datetime, timezone

import boto3

table = boto3.resource("dynamodb").Table(os.environ["SUBSCRIBERS_TABLE"])
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


def handler(event, context):
    email = json.loads(event["body"]).get("email", "").strip().lower()
    if not EMAIL.match(email):
        return {"statusCode": 400, "body": json.dumps({"error": "invalid e-mail"})}
    table.put_item(Item={"email": email, "since": datetime.now(timezone.utc).isoformat(), "confirmed": False})
    return {"statusCode": 201}
