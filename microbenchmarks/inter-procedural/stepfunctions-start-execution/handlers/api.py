import json
import os

import boto3

sfn = boto3.client("stepfunctions")


def start_pipeline(event, context):
    body = json.loads(event["body"])
    execution = sfn.start_execution(
        stateMachineArn=os.environ["STATE_MACHINE_ARN"],
        input=json.dumps(body),
    )
    return {
        "statusCode": 202,
        "body": json.dumps({"executionArn": execution["executionArn"]}),
    }
