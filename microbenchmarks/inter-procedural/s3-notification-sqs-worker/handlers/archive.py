import json
import os


def archive(event, context):
    for record in event["Records"]:
        notification = json.loads(record["body"])
        for s3_record in notification.get("Records", []):
            key = s3_record["s3"]["object"]["key"]
            os.system(f"aws s3 mv s3://archive-source/{key} s3://archive-target/{key}")
