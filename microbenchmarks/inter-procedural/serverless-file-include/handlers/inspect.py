import os

import boto3

s3 = boto3.client("s3")


def inspect_media(event, context):
    record = event["Records"][0]
    bucket = record["s3"]["bucket"]["name"]
    key = record["s3"]["object"]["key"]
    local_path = os.path.join("/tmp", os.path.basename(key))
    s3.download_file(bucket, key, local_path)
    os.system("file --mime-type " + local_path)
