"""Second Task of the state machine: persists the validated order."""
import json
import os
import time

import boto3

dynamodb = boto3.client("dynamodb")


def store(event, context):
    item = {
        "orderId": {"S": event["orderId"]},
        "email": {"S": event["email"]},
        "shipTo": {"S": event.get("shipTo", "")},
        "total": {"N": str(event["total"])},
        "items": {"S": json.dumps(event["items"])},
        "status": {"S": "STORED"},
        "createdAt": {"N": str(int(time.time()))},
    }
    dynamodb.put_item(TableName=os.environ["ORDERS_TABLE"], Item=item)
    return {"orderId": event["orderId"], "status": "STORED"}
