import json
import os

import boto3

sqs = boto3.client("sqs")


def receive(event, context):
    payload = json.loads(event["body"])
    if payload.get("type") != "invoice.paid":
        return {"statusCode": 204}
    invoice = payload["data"]["object"]
    sqs.send_message(
        QueueUrl=os.environ["INVOICE_QUEUE_URL"],
        MessageBody=json.dumps({"invoice": invoice["id"], "customer_email": invoice["customer_email"]}),
    )
    return {"statusCode": 202}
