import json
import os

import boto3

sqs = boto3.client("sqs")


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(body))
    return {"statusCode": 202, "body": json.dumps({"status": "queued"})}
