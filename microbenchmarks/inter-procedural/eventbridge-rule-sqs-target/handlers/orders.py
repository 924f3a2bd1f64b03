import json
import os

import boto3

events = boto3.client("events")


def place_order(event, context):
    order = json.loads(event["body"])
    events.put_events(
        Entries=[
            {
                "Source": "shop.orders",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps(order),
                "EventBusName": os.environ["BUS_NAME"],
            }
        ]
    )
    return {"statusCode": 202}
