import os

import boto3

s3 = boto3.client("s3")


def submit(event, context):
    name = event["pathParameters"]["name"]
    s3.put_object(Bucket=os.environ["INBOX_BUCKET"], Key=f"incoming/{name}", Body=event["body"] or "")
    return {"statusCode": 201}
