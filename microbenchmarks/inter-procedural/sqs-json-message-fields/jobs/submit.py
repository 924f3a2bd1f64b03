import json
import os
import uuid

import boto3

sqs = boto3.client("sqs")
SIZES = {"small": "128x128", "large": "1024x1024"}


def handler(event, context):
    request = json.loads(event["body"])
    job_id = str(uuid.uuid4())
    activity = {
        "job_id": job_id,
        "workdir": "/tmp/jobs/" + job_id,
        "size": SIZES.get(request.get("size"), "128x128"),
        "caption": request.get("caption", ""),
    }
    sqs.send_message(QueueUrl=os.environ["JOBS_QUEUE_URL"], MessageBody=json.dumps(activity))
    return {"statusCode": 202, "body": json.dumps({"job_id": job_id})}
