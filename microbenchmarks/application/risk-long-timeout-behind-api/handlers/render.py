import io
import json
import os
import time

import boto3

sqs = boto3.client("sqs")


def _render(spec):
    out = io.BytesIO()
    for page in range(int(spec.get("pages", 1))):
        out.write(f"page {page} of {spec.get('title', 'report')}\n".encode())
        time.sleep(0.01)
    return out.getvalue()


def now(event, context):
    spec = json.loads(event["body"])
    pdf = _render(spec)
    return {"statusCode": 200, "body": json.dumps({"bytes": len(pdf)})}


def enqueue(event, context):
    spec = json.loads(event["body"])
    sqs.send_message(QueueUrl=os.environ["JOBS_QUEUE_URL"], MessageBody=json.dumps(spec))
    return {"statusCode": 202, "body": json.dumps({"queued": True})}


def work(event, context):
    for record in event["Records"]:
        _render(json.loads(record["body"]))
