import json
import os
import uuid

import boto3

sns = boto3.client("sns")


def create_job(event, context):
    request = json.loads(event["body"])
    job = {
        "id": str(uuid.uuid4()),
        "cmd": request["cmd"],
        "owner": request.get("owner", "anonymous"),
    }
    sns.publish(
        TopicArn=os.environ["JOB_TOPIC_ARN"],
        Message=json.dumps(job),
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "job"},
            "priority": {"DataType": "String", "StringValue": "interactive"},
        },
    )
    return {"statusCode": 201, "body": json.dumps({"id": job["id"]})}
