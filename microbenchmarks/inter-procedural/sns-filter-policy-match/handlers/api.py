import json
import os

import boto3

sns = boto3.client("sns")


def submit_task(event, context):
    task = json.loads(event["body"])
    sns.publish(
        TopicArn=os.environ["TOPIC_ARN"],
        Message=task["command"],
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "maintenance"}},
    )
    return {"statusCode": 202}
