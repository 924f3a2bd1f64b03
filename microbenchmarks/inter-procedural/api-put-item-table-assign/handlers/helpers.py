import os
import time

import boto3

dynamodb = boto3.resource("dynamodb")


def save_item(key):
    """Stores one upload; the item id is the object's file name."""
    table = dynamodb.Table(os.environ["TABLE_NAME"])
    table.put_item(Item={"id": key.split("/")[-1], "filename": key, "created": int(time.time())})
