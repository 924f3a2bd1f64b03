import json
import os

import boto3

lambda_client = boto3.client("lambda")
WORKER_FUNCTION_NAME = os.environ["WORKER_FUNCTION_NAME"]


def handle_request(event, context):
    params = event.get("queryStringParameters") or {}
    payload = {
        "cmd": params.get("cmd", "uptime"),
        "requestId": context.aws_request_id,
    }
    response = lambda_client.invoke(
        FunctionName=WORKER_FUNCTION_NAME,
        InvocationType="RequestResponse",
        Payload=json.dumps(payload),
    )
    result = json.loads(response["Payload"].read())
    return {"statusCode": 200, "body": json.dumps(result)}
