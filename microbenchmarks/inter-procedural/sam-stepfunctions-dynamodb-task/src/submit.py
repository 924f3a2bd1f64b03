import json
import os

import boto3

sfn = boto3.client("stepfunctions")


def handler(event, context):
    rule = json.loads(event["body"])
    sfn.start_execution(stateMachineArn=os.environ["WORKFLOW_ARN"], input=json.dumps(rule))
    return {"statusCode": 202}
