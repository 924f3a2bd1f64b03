import json
import os

import boto3

sqs = boto3.client("sqs")


def record(event, context):
    order = json.loads(event["body"])
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps({"orderId": order["orderId"], "lines": order["lines"]}))
    return {"statusCode": 202}
