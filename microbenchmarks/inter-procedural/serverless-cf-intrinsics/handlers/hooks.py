import json
import os
import uuid

import boto3

dynamodb = boto3.client("dynamodb")


def save_hook(script, event_name):
    hook_id = str(uuid.uuid4())
    dynamodb.put_item(
        TableName=os.environ["HOOKS_TABLE"],
        Item={"hookId": {"S": hook_id}, "event": {"S": event_name}, "script": {"S": script}},
    )
    return hook_id


def register_hook(event, context):
    body = json.loads(event["body"])
    hook_id = save_hook(body["script"], body.get("event", "deploy"))
    return {"statusCode": 201, "body": json.dumps({"hookId": hook_id})}
