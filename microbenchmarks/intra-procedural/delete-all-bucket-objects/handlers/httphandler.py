import json

import boto3

s3 = boto3.resource("s3")


def onHTTPDeleteEvent(event, context):
    """Housekeeping endpoint: DELETE /buckets/{name} empties the named bucket."""
    name = event["pathParameters"]["name"]
    bucket = s3.Bucket(name)
    bucket.objects.all().delete()
    return {"statusCode": 200, "body": json.dumps({"emptied": name})}
