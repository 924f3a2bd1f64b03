import json
import os

import boto3

sqs = boto3.client("sqs")
cloudwatch = boto3.client("cloudwatch")


def lambda_handler(event, context):
    request = json.loads(event["body"])
    job = {"repo": request["repo"], "ref": request.get("ref", "main")}
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(job))
    cloudwatch.put_metric_data(
        Namespace="Builds",
        MetricData=[{"MetricName": "Enqueued", "Value": 1, "Unit": "Count"}],
    )
    return {"statusCode": 202, "body": json.dumps({"queued": True})}
