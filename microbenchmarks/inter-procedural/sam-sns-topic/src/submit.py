import json
import os

import boto3

sns = boto3.client("sns")


def lambda_handler(event, context):
    rule = json.loads(event["body"])
    message = {"sku": rule["sku"], "formula": rule["formula"]}
    sns.publish(TopicArn=os.environ["RULES_TOPIC_ARN"], Message=json.dumps(message))
    return {"statusCode": 202, "body": json.dumps({"sku": rule["sku"]})}
