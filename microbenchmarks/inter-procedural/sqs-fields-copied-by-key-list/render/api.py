import json
import os
import uuid

import boto3

queue = boto3.client("sqs")


def submit(event, context):
    body = json.loads(event["body"])
    report_id = uuid.uuid4().hex
    job = {
        "report_id": report_id,
        "scratch": f"/tmp/render/{report_id}",
        "template": "monthly",
        "title": body.get("title", "Report"),
    }
    queue.send_message(QueueUrl=os.environ["RENDER_QUEUE_URL"], MessageBody=json.dumps(job))
    return {"statusCode": 202, "body": json.dumps({"report_id": report_id})}
