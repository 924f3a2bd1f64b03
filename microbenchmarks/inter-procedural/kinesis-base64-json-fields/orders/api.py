import json
import os
import time

import boto3

kinesis = boto3.client("kinesis")


def create_order(event, context):
    order = json.loads(event["body"])
    record = {
        "archive": "/tmp/orders/%d.json" % int(time.time()),
        "sku": order.get("sku"),
        "note": order.get("note", ""),
    }
    kinesis.put_record(StreamName=os.environ["ORDER_STREAM"], Data=json.dumps(record).encode("utf-8"), PartitionKey="orders")
    return {"statusCode": 201}
