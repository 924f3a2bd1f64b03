import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["AVAILABILITY_TABLE"])


def handler(event, context):
    event_id = event["pathParameters"]["eventId"]
    item = table.get_item(Key={"eventId": event_id}).get("Item") or {"remaining": 0}
    return {"statusCode": 200, "body": json.dumps({"eventId": event_id, "remaining": int(item["remaining"])})}
