import os
import time

import boto3

dynamodb = boto3.client(service_name="dynamo" + "db", region_name=os.environ["AWS_REGION"])


def save_item(key):
    """Stores one upload; the item id is the object's file name."""
    item_id = key.split("/")[-1]
    dynamodb.put_item(
        TableName=os.environ["TABLE_NAME"],
        Item={"id": {"S": item_id}, "filename": {"S": key}, "created": {"N": str(int(time.time()))}},
    )
