import json
import os

from boto3 import client

s3 = client("s3")


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    key = "uploads/" + body["name"]
    s3.put_object(Bucket=os.environ["BUCKET_NAME"], Key=key, Body=json.dumps(body))
    return {"statusCode": 201, "body": json.dumps({"key": key})}
