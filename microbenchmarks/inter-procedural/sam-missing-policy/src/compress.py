import os
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")


def lambda_handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        local_path = "/tmp/" + os.path.basename(key)
        s3.download_file(bucket, key, local_path)
        os.system(f"gzip -9 -f {local_path}")
