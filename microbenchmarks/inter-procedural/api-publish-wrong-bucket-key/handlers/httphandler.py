import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET_NAME"]


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    key = os.path.join("upload-folder", body["name"] + ".txt")
    s3.put_object(Bucket=BUCKET, Key=key, Body=body.get("text", "").encode("utf-8"))
    return {"statusCode": 201, "body": json.dumps({"key": key})}
