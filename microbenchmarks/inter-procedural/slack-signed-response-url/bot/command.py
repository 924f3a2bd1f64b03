import json
import os
from urllib.parse import parse_qs

import boto3

from bot.signature import is_from_slack

lambda_client = boto3.client("lambda")


def slash_command(event, context):
    if not is_from_slack(event["headers"], event["body"]):
        return {"statusCode": 401, "body": "bad signature"}
    form = {k: v[0] for k, v in parse_qs(event["body"]).items()}
    lambda_client.invoke(FunctionName=os.environ["WORKER_FUNCTION"], InvocationType="Event", Payload=json.dumps(form))
    return {"statusCode": 200, "body": "rendering..."}


def legacy_command(event, context):
    form = {k: v[0] for k, v in parse_qs(event["body"]).items()}
    lambda_client.invoke(FunctionName=os.environ["WORKER_FUNCTION"], InvocationType="Event", Payload=json.dumps(form))
    return {"statusCode": 200, "body": "rendering..."}
