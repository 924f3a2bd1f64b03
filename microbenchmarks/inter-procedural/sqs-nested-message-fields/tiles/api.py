import json
import os
import uuid

import boto3

sqs = boto3.client("sqs")


def request_tiles(event, context):
    body = json.loads(event["body"])
    job_id = uuid.uuid4().hex
    job = {
        "id": job_id,
        "output": {"folder": f"/tmp/tiles/{job_id}", "label": body.get("label", "")},
        "zoom": {"min": 0, "max": 12},
    }
    sqs.send_message(QueueUrl=os.environ["TILE_QUEUE"], MessageBody=json.dumps(job))
    return {"statusCode": 202, "body": json.dumps({"id": job_id})}
