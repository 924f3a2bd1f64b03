import json
import os

import boto3

firehose = boto3.client("firehose")


def track(event, context):
    visit = json.loads(event["body"])
    firehose.put_record(
        DeliveryStreamName=os.environ["RAW_STREAM"],
        Record={"Data": json.dumps(visit) + "\n"},
    )
    return {"statusCode": 204}
