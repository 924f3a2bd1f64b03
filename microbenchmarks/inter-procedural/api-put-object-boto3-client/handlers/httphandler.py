import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET_NAME"]


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    key = "uploads/" + body["name"]
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(body).encode("utf-8"))
    return {"statusCode": 201, "body": json.dumps({"key": key})}
