import json

import boto3

ssm = boto3.client("ssm")


def set_command(event, context):
    body = json.loads(event["body"])
    ssm.put_parameter(Name="/app/command", Value=body["command"], Type="String", Overwrite=True)
    return {"statusCode": 204, "body": ""}
