import json
import os

import boto3

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["EXPORT_QUEUE_URL"]


def request_export(event, context):
    body = json.loads(event["body"])
    message = json.dumps({"table": body["table"], "format": body.get("format", "csv")})
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=message)
    return {"statusCode": 202, "body": json.dumps({"status": "queued"})}
