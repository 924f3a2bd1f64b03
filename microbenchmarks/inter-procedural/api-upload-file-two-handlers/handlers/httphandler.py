import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET_NAME"]


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    local = "/tmp/" + context.aws_request_id + ".json"
    with open(local, "w") as f:
        json.dump(body, f)
    s3.upload_file(local, BUCKET, "uploads/" + body["name"])
    return {"statusCode": 202, "body": json.dumps({"status": "accepted"})}


def onHTTPGetEvent(event, context):
    """Returns the service's configuration; touches no request data."""
    config = {"bucket": BUCKET, "prefix": "uploads/", "region": os.environ.get("AWS_REGION")}
    return {"statusCode": 200, "body": json.dumps(config)}
