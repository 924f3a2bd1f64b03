import pickle

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]
        blob = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        session = pickle.loads(blob)
        print("restored session", session.get("id"))
