import json
import os

import boto3

s3 = boto3.client("s3")


def upload_caption(event, context):
    photo_id = event["pathParameters"]["photoId"]
    caption = json.loads(event["body"])["caption"]
    key = f"uploads/{photo_id}.txt"
    s3.put_object(Bucket=os.environ["PHOTO_BUCKET"], Key=key, Body=caption.encode("utf-8"))
    return {"statusCode": 200, "body": json.dumps({"key": key})}
