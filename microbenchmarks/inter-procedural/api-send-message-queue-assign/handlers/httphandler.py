import json
import os

import boto3

sqs = boto3.resource("sqs")


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    queue = sqs.Queue(os.environ["QUEUE_URL"])
    queue.send_message(MessageBody=json.dumps(body))
    return {"statusCode": 202, "body": json.dumps({"status": "queued"})}
