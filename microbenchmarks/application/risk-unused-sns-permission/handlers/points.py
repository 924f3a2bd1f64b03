import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["POINTS_TABLE"])


def award(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        table.update_item(
            Key={"memberId": order["memberId"]},
            UpdateExpression="ADD points :p",
            ExpressionAttributeValues={":p": int(order["total"]) // 10},
        )


def balance(event, context):
    member = event["pathParameters"]["memberId"]
    item = table.get_item(Key={"memberId": member}).get("Item") or {"points": 0}
    return {"statusCode": 200, "body": json.dumps({"memberId": member, "points": int(item["points"])})}
