import json
import os

import boto3

s3 = boto3.client("s3")


def run(event, context):
    body = json.loads(event.get("body") or "{}")
    month = body.get("month", "")
    listing = s3.list_objects_v2(Bucket=os.environ["ARCHIVE_BUCKET"], Prefix="invoices/INV-" + month[:4])
    keys = [o["Key"] for o in listing.get("Contents", [])]
    return {"statusCode": 200, "body": json.dumps({"count": len(keys)})}
