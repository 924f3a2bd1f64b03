import base64
import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["UPLOADS_BUCKET"]


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    filename = body["filename"]
    content = base64.b64decode(body["content"])

    key = "incoming/" + filename
    s3.put_object(Bucket=BUCKET, Key=key, Body=content)

    return {"statusCode": 202, "body": json.dumps({"key": key})}
