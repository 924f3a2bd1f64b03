import json
import os
import uuid

import boto3

sqs = boto3.client("sqs")
PRESETS = {"720p", "1080p", "audio-only"}


def handler(event, context):
    body = json.loads(event["body"])
    preset = body.get("preset", "720p")
    if preset not in PRESETS:
        return {"statusCode": 400, "body": json.dumps({"error": "unknown preset"})}
    job = {"jobId": str(uuid.uuid4()), "source": body["source"], "preset": preset}
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(job))
    return {"statusCode": 202, "body": json.dumps({"jobId": job["jobId"]})}
