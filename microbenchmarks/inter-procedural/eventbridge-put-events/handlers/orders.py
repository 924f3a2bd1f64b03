import json
import uuid

import boto3

events = boto3.client("events")


def place_order(event, context):
    order = json.loads(event["body"])
    order["orderId"] = str(uuid.uuid4())
    events.put_events(
        Entries=[
            {
                "Source": "app.orders",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps(order),
                "EventBusName": "default",
            }
        ]
    )
    return {"statusCode": 201, "body": json.dumps({"orderId": order["orderId"]})}
