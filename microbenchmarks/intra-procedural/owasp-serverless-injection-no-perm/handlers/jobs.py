import os
import subprocess

import boto3

s3 = boto3.client("s3")


def compress_reports(event, context):
    """Hourly job: archives every report waiting under reports/."""
    bucket = os.environ["BUCKET_NAME"]
    response = s3.list_objects(Bucket=bucket, Prefix="reports/")
    archived = 0
    for obj in response.get("Contents", []):
        key = obj["Key"]
        subprocess.call("echo archiving " + key + " >> /tmp/reports.log", shell=True)
        archived += 1
    return {"archived": archived}
