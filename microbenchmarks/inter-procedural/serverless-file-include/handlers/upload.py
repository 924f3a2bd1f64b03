import base64
import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET_NAME = os.environ["BUCKET_NAME"]
UPLOAD_PREFIX = os.environ["UPLOAD_PREFIX"]


def upload_media(event, context):
    body = json.loads(event["body"])
    key = UPLOAD_PREFIX + body["name"]
    data = base64.b64decode(body["data"])
    s3.put_object(Bucket=BUCKET_NAME, Key=key, Body=data)
    return {"statusCode": 201, "body": json.dumps({"key": key})}
