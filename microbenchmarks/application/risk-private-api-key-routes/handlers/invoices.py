import base64
import json
import os
import re

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["ARCHIVE_BUCKET"]
NUMBER = re.compile(r"^INV-\d{4}-\d{6}$")


def store(event, context):
    body = json.loads(event["body"])
    number = body.get("number", "")
    if not NUMBER.match(number):
        return {"statusCode": 400, "body": json.dumps({"error": "bad invoice number"})}
    pdf = base64.b64decode(body["pdf"])
    s3.put_object(Bucket=BUCKET, Key=f"invoices/{number}.pdf", Body=pdf, ContentType="application/pdf")
    return {"statusCode": 204}


def fetch(event, context):
    number = event["pathParameters"]["number"]
    if not NUMBER.match(number):
        return {"statusCode": 404}
    obj = s3.get_object(Bucket=BUCKET, Key=f"invoices/{number}.pdf")
    return {
        "statusCode": 200,
        "isBase64Encoded": True,
        "headers": {"Content-Type": "application/pdf"},
        "body": base64.b64encode(obj["Body"].read()).decode("ascii"),
    }
