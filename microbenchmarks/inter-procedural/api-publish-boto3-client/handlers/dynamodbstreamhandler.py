import json
import os

import boto3

sns = boto3.client("sns")


def onDynamoDBStreamEvent(event, context):
    """Announces every new upload on the operators' notification topic."""
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        filename = record["dynamodb"]["NewImage"]["filename"]["S"]
        message = json.dumps({"event": "upload", "file": filename})
        sns.publish(TopicArn=os.environ["TOPIC_ARN"], Subject="New upload", Message=message)
