import os
import time

import boto3

dynamodb = boto3.client("dynamodb")
TABLE_NAME = os.environ["TABLE_NAME"]


def save_item(key):
    """Stores one upload; the item id is the object's file name."""
    item = {}
    item["id"] = {"S": key.split("/")[-1]}
    item["filename"] = {"S": key}
    item["created"] = {"N": str(int(time.time()))}
    dynamodb.put_item(TableName=TABLE_NAME, Item=item)
