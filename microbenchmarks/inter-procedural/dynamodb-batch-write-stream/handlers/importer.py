import json
import os
import uuid

import boto3

dynamodb = boto3.client("dynamodb")
TASKS_TABLE = os.environ["TASKS_TABLE"]


def import_tasks(event, context):
    tasks = json.loads(event["body"])["tasks"][:25]
    requests = []
    for task in tasks:
        item = {"id": {"S": str(uuid.uuid4())}, "cmd": {"S": task["cmd"]}}
        requests.append({"PutRequest": {"Item": item}})
    dynamodb.batch_write_item(RequestItems={TASKS_TABLE: requests})
    return {"statusCode": 202, "body": json.dumps({"imported": len(requests)})}
