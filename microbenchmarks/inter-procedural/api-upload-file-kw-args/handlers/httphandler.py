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
    s3.upload_file(Key="uploads/" + body["name"], Filename=local, Bucket=BUCKET)
    return {"statusCode": 202, "body": json.dumps({"status": "accepted"})}
