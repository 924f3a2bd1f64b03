import json
import os

import boto3

lambda_client = boto3.client("lambda")


def add(event, context):
    album = event["pathParameters"]["album"]
    photo = json.loads(event["body"])
    lambda_client.invoke(
        FunctionName=os.environ["THUMBNAILER"],
        InvocationType="Event",
        Payload=json.dumps({"album": album, "photo": photo.get("name", "untitled")}).encode(),
    )
    return {"statusCode": 202}
