import json
import os

import boto3

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["DEVICES_TABLE"])


def lambda_handler(event, context):
    device = json.loads(event["body"])
    item = {
        "deviceId": device["deviceId"],
        "hostname": device["hostname"],
        "status": "pending",
    }
    table.put_item(Item=item)
    return {"statusCode": 201, "body": json.dumps(item)}
