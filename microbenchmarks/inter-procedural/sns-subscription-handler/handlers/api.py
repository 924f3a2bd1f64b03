import json
import os

import boto3

sns = boto3.client("sns")
TOPIC_ARN = os.environ["TOPIC_ARN"]


def submit_command(event, context):
    body = json.loads(event["body"] or "{}")
    command = body.get("command", "")
    if not command:
        return {"statusCode": 400, "body": json.dumps({"error": "command is required"})}

    response = sns.publish(TopicArn=TOPIC_ARN, Message=command, Subject="command")
    return {
        "statusCode": 202,
        "body": json.dumps({"messageId": response["MessageId"]}),
    }
