import json
import os

import boto3

lambda_client = boto3.client("lambda")


def start_conversion(source_url, fmt):
    payload = {"url": source_url, "format": fmt}
    lambda_client.invoke(FunctionName=os.environ["CONVERTER_FUNCTION"], InvocationType="Event", Payload=json.dumps(payload))


def submit(event, context):
    body = json.loads(event.get("body") or "{}")
    start_conversion(body["url"], body.get("format", "pdf"))
    return {"statusCode": 202, "body": json.dumps({"status": "accepted"})}
