import json
import os
from datetime import datetime, timezone

import boto3
from boto3.dynamodb.conditions import Key

TABLE = boto3.resource("dynamodb").Table(os.environ["ENTRIES_TABLE"])


def sign(event, context):
    body = json.loads(event.get("body") or "{}")
    name = (body.get("name") or "anonymous")[:80]
    message = (body.get("message") or "")[:2000]
    if not message:
        return {"statusCode": 400, "body": json.dumps({"error": "message is required"})}
    TABLE.put_item(
        Item={
            "status": "pending",
            "createdAt": datetime.now(timezone.utc).isoformat(),
            "name": name,
            "message": message,
        }
    )
    return {"statusCode": 201, "body": json.dumps({"status": "pending"})}


def pending(event, context):
    result = TABLE.query(KeyConditionExpression=Key("status").eq("pending"), Limit=50)
    return {"statusCode": 200, "body": json.dumps(result["Items"])}
