import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["EXPORTS_TABLE"])


def request_export(event, context):
    body = json.loads(event["body"])
    export_id = uuid.uuid4().hex
    table.put_item(
        Item={
            "id": "pending",
            "export_id": export_id,
            "format": "csv",
            "title": body["title"],
        }
    )
    return {"statusCode": 202, "body": json.dumps({"id": export_id})}
