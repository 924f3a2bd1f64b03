import json
import os

import boto3

sqs = boto3.client("sqs")
TASK_QUEUE_URL = os.environ["TASK_QUEUE_URL"]


def submit_task(event, context):
    task = json.loads(event["body"])
    sqs.send_message(QueueUrl=TASK_QUEUE_URL, MessageBody=json.dumps({"cmd": task["cmd"]}))
    return {"statusCode": 202, "body": json.dumps({"queued": True})}
