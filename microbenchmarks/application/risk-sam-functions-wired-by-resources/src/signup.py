import json
import os

import boto3

ALLOWED_DOMAINS = ("example.org", "members.example.org")
lambda_client = boto3.client("lambda")


def pre_sign_up(event, context):
    email = event["request"]["userAttributes"].get("email", "")
    if not email.endswith(ALLOWED_DOMAINS):
        raise Exception("sign-up is limited to member addresses")
    lambda_client.invoke(
        FunctionName=os.environ["WELCOME_FUNCTION"],
        InvocationType="Event",
        Payload=json.dumps({"user": event["userName"]}).encode(),
    )
    event["response"]["autoConfirmUser"] = False
    return event
