import os

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    filename = event["pathParameters"]["filename"]
    s3.put_object(Bucket=os.environ["UPLOADS_BUCKET"], Key=f"raw/{filename}", Body=event["body"] or "")
    return {"statusCode": 201}
