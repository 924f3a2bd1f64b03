import base64
import os

import boto3

session = boto3.Session(
    aws_access_key_id=os.environ["UPLOADER_KEY_ID"],
    aws_secret_access_key=os.environ["UPLOADER_SECRET"],
)
s3 = session.client("s3")


def handler(event, context):
    name = event["pathParameters"]["name"]
    body = base64.b64decode(event["body"])
    s3.put_object(Bucket=os.environ["MEDIA_BUCKET"], Key="incoming/" + name, Body=body)
    return {"statusCode": 204}
