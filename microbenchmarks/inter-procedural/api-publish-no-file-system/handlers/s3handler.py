import os
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")
sns = boto3.client("sns")


def onS3Event(event, context):
    """Forwards every new upload to the operators' notification topic."""
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        content = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        sns.publish(TopicArn=os.environ["TOPIC_ARN"], Subject="New upload", Message=key + "\n" + content)
