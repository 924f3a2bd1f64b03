import json
import os

import boto3

s3 = boto3.client("s3")


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    local = "/tmp/" + context.aws_request_id + ".json"
    with open(local, "w") as f:
        json.dump(body, f)
    s3.upload_file(local, os.environ["BUCKET_NAME"], "uploads/" + body["name"])
    return {"statusCode": 202, "body": json.dumps({"status": "accepted"})}
