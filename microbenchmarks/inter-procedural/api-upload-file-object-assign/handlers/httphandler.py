import json
import os

import boto3

s3 = boto3.resource("s3")
BUCKET = os.environ["BUCKET_NAME"]


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    local = "/tmp/" + context.aws_request_id + ".json"
    with open(local, "w") as f:
        json.dump(body, f)
    obj = s3.Object(BUCKET, "uploads/" + body["name"])
    obj.upload_file(local)
    return {"statusCode": 202, "body": json.dumps({"key": obj.key})}
