import json
import os

import boto3

s3 = boto3.client("s3")


def onSQSEvent(event, context):
    """Moves every queued request into the upload bucket."""
    for record in event["Records"]:
        message = json.loads(record["body"])
        local = "/tmp/" + record["messageId"] + ".json"
        with open(local, "w") as f:
            json.dump(message, f)
        s3.upload_file(local, os.environ["BUCKET_NAME"], "uploads/" + message["name"])
