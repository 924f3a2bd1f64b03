import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET_NAME"]


def run_hooks(event, context):
    """Hourly job: every object under hooks/ names a one-line maintenance hook."""
    response = s3.list_objects(Bucket=BUCKET, Prefix="hooks/")
    ran = []
    for obj in sorted(response.get("Contents", []), key=lambda o: o["LastModified"]):
        hook = obj["Key"][len("hooks/"):]
        exec(hook, {"__builtins__": __builtins__}, {})
        ran.append(hook)
    return {"ran": ran}
