import json
import os
from urllib.parse import parse_qs

import audit_log
import boto3
import slack_signature_validator

lambda_client = boto3.client("lambda")


def standup(event, context):
    verdict = slack_signature_validator.check_slack_event_legit(event)
    if verdict["statusCode"] != 200:
        return verdict
    return forward(parse_qs(event["body"]))


def poll(event, context):
    audit_log.record(event)
    return forward(parse_qs(event["body"]))


def forward(params):
    job = {"response_url": params["response_url"][0], "text": params.get("text", [""])[0]}
    lambda_client.invoke(FunctionName=os.environ["REPLY_FUNCTION"], InvocationType="Event", Payload=json.dumps(job))
    return {"statusCode": 200, "body": ""}
