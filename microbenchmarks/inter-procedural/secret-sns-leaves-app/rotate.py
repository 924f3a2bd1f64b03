import json
import os

import boto3

secrets = boto3.client("secretsmanager")
sns = boto3.client("sns")


def handler(event, context):
    partner_key = secrets.get_secret_value(SecretId="partners/acme/api-key")["SecretString"]
    sns.publish(
        TopicArn=os.environ["EVENTS_TOPIC_ARN"],
        Message=json.dumps({"partner": "acme", "key": partner_key}),
    )
    sns.publish(
        TopicArn=os.environ["OPS_TOPIC_ARN"],
        Subject="Partner key rotated",
        Message="New key for acme: " + partner_key,
    )
