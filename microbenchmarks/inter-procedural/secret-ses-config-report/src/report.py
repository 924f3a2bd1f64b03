import json
import os
from datetime import datetime, timezone

import boto3

secrets = boto3.client("secretsmanager")
ses = boto3.client("ses")


def mail(subject, text):
    ses.send_email(
        Source="reports@example.com",
        Destination={"ToAddresses": [os.environ["OPS_ADDRESS"]]},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}},
    )


def weekly(event, context):
    secret = secrets.get_secret_value(SecretId=os.environ["DB_SECRET_ID"])
    config = json.loads(secret["SecretString"])
    age = datetime.now(timezone.utc) - secret["CreatedDate"]
    ses.send_email(
        Source="reports@example.com",
        Destination={"ToAddresses": [os.environ["OPS_ADDRESS"]]},
        Message={
            "Subject": {"Data": "Warehouse credentials"},
            "Body": {"Text": {"Data": "Password age: %d days, length %d" % (age.days, len(config["password"]))}},
        },
    )
    mail("Warehouse configuration", json.dumps(config, indent=2))
