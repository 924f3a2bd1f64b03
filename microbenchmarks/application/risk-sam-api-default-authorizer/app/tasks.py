import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TASKS_TABLE"])


def create(event, context):
    claims = event["requestContext"]["authorizer"]["claims"]
    body = json.loads(event["body"])
    task = {
        "taskId": str(uuid.uuid4()),
        "title": body["title"][:200],
        "owner": claims["email"],
        "done": False,
    }
    table.put_item(Item=task)
    return {"statusCode": 201, "body": json.dumps(task)}
