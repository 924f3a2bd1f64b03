import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["REPORT_BUCKET"]


def submit_report(event, context):
    report = json.loads(event["body"])
    s3.put_object(Bucket=BUCKET, Key="reports/latest.json", Body=json.dumps(report), ContentType="application/json")
    return {"statusCode": 201, "body": json.dumps({"stored": True})}
