import json
import os

import boto3

sfn = boto3.client("stepfunctions")


def request_machine(event, context):
    request = json.loads(event["body"])
    sfn.start_execution(
        stateMachineArn=os.environ["STATE_MACHINE_ARN"],
        input=json.dumps({"request": request}),
    )
    return {"statusCode": 202}
