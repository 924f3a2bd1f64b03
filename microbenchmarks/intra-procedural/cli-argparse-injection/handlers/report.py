import csv
import io
import os
from datetime import datetime, timedelta, timezone

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["REPORTS_BUCKET"]


def handler(event, context):
    day = (datetime.now(timezone.utc) - timedelta(days=1)).date()

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["date", "function", "remaining_ms"])
    writer.writerow([day.isoformat(), context.function_name, context.get_remaining_time_in_millis()])

    key = f"daily/{day:%Y/%m/%d}/usage.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body=buffer.getvalue().encode("utf-8"), ContentType="text/csv")
    return {"key": key}
