import json
import os

import boto3

sns = boto3.client("sns")


def submit_job(event, context):
    job = json.loads(event["body"])
    sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=json.dumps(job))
    return {"statusCode": 202}
