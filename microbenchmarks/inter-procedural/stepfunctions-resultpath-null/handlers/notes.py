import json
import os

import boto3

notes = boto3.resource("dynamodb").Table(os.environ["NOTES_TABLE"])
stepfunctions = boto3.client("stepfunctions")


def submit_note(event, context):
    note = json.loads(event["body"])
    notes.put_item(Item={"noteId": "latest", "title": note["title"], "text": note["text"]})
    stepfunctions.start_execution(
        stateMachineArn=os.environ["DIGEST_ARN"],
        input=json.dumps({"noteId": "latest", "title": "daily-digest"}),
    )
    return {"statusCode": 201}
