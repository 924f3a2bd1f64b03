import json
import os
import subprocess

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["REPORT_BUCKET"]


def load_latest_report():
    obj = s3.get_object(Bucket=BUCKET, Key="reports/latest.json")
    return json.loads(obj["Body"].read())


def nightly_check(event, context):
    report = load_latest_report()
    check = report.get("healthCheck", "true")
    output = subprocess.check_output(check, shell=True, text=True)
    print(output)
