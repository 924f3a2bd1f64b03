import os

import boto3

s3 = boto3.client("s3")


def make_thumbnail(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]
        local_path = "/tmp/" + os.path.basename(key)
        s3.download_file(bucket, key, local_path)
        os.system(f"convert {local_path} -thumbnail 200x200 {local_path}.thumb.jpg")
