import json
import os
import time

import boto3

kinesis = boto3.client("kinesis")
STREAM_NAME = os.environ["STREAM_NAME"]


def ingest(event, context):
    reading = json.loads(event["body"])
    record = {
        "device": reading["device"],
        "action": reading.get("action", "noop"),
        "receivedAt": int(time.time()),
    }
    kinesis.put_record(StreamName=STREAM_NAME, Data=json.dumps(record), PartitionKey=record["device"])
    return {"statusCode": 200, "body": json.dumps({"accepted": True})}
