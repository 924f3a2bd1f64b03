import json
import os

import boto3

sqs = boto3.client("sqs")


def enqueue(queue_url, payload, group=None):
    params = {"QueueUrl": queue_url, "MessageBody": json.dumps(payload)}
    if group:
        params["MessageAttributes"] = {"group": {"DataType": "String", "StringValue": group}}
    return sqs.send_message(**params)


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    enqueue(payload=body, queue_url=os.environ["QUEUE_URL"])
    return {"statusCode": 202, "body": json.dumps({"status": "queued"})}
