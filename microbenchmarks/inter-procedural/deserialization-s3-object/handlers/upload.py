import base64
import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["MODELS_BUCKET"]


def handler(event, context):
    name = event["pathParameters"]["name"]
    body = event.get("body") or ""
    data = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")

    key = f"models/{name}.pkl"
    s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType="application/octet-stream")

    return {"statusCode": 201, "body": json.dumps({"key": key, "size": len(data)})}
