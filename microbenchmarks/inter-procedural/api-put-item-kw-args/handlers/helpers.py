import time

import boto3

dynamodb = boto3.client("dynamodb")


def save_item(filename, table_name):
    """Stores one upload; the item id is the object's file name."""
    dynamodb.put_item(
        Item={"id": {"S": filename.split("/")[-1]}, "filename": {"S": filename}, "created": {"N": str(int(time.time()))}},
        TableName=table_name,
    )
