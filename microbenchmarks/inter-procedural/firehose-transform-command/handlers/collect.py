import json
import os

import boto3

firehose = boto3.client("firehose")
STREAM = os.environ["CLICK_STREAM"]


def collect(event, context):
    clicks = json.loads(event["body"])["clicks"]
    records = [{"Data": (json.dumps(click) + "\n").encode()} for click in clicks]
    firehose.put_record_batch(DeliveryStreamName=STREAM, Records=records)
    return {"statusCode": 202, "body": json.dumps({"queued": len(records)})}
