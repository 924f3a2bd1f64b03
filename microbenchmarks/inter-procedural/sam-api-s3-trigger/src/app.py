import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET_NAME = os.environ["BUCKET_NAME"]


def lambda_handler(event, context):
    body = json.loads(event["body"])
    key = "incoming/" + body["filename"]
    s3.put_object(Bucket=BUCKET_NAME, Key=key, Body=body.get("content", "").encode("utf-8"))
    return {"statusCode": 201, "body": json.dumps({"key": key})}
