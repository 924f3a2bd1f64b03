import json

import boto3

s3 = boto3.client("s3")


def onHTTPPostEvent(event, context):
    body = json.loads(event["body"])
    bucket_name = "aws-python-project-test-bucket"
    key = "uploads/" + body["name"]
    s3.put_object(Bucket=bucket_name, Key=key, Body=event["body"].encode("utf-8"))
    return {"statusCode": 201, "body": json.dumps({"bucket": bucket_name, "key": key})}
