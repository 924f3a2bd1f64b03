import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET_NAME"]


def onHTTPGetEvent(event, context):
    """Health check: tells whether the upload bucket is reachable."""
    try:
        s3.head_bucket(Bucket=BUCKET)
        status = "ok"
    except Exception:
        status = "unavailable"
    return {"statusCode": 200, "body": json.dumps({"bucket": BUCKET, "status": status})}


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    key = "uploads/" + body["name"]
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(body))
    return {"statusCode": 201, "body": json.dumps({"key": key})}
