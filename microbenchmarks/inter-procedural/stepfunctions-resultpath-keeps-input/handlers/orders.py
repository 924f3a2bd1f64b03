import json
import os

import boto3

stepfunctions = boto3.client("stepfunctions")


def place_order(event, context):
    order = json.loads(event["body"])
    stepfunctions.start_execution(
        stateMachineArn=os.environ["FULFILMENT_ARN"],
        input=json.dumps({"sku": order["sku"], "quantity": order["quantity"], "address": order["address"]}),
    )
    return {"statusCode": 202, "body": json.dumps({"accepted": True})}
