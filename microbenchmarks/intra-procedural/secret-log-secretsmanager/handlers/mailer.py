import json
import logging
import os
import smtplib

import boto3

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

secrets = boto3.client("secretsmanager")


def smtp_settings():
    response = secrets.get_secret_value(SecretId=os.environ["SMTP_SECRET_ID"])
    logger.info("loaded secret %s version %s", response["ARN"], response["VersionId"])
    settings = json.loads(response["SecretString"])
    logger.debug("smtp settings: %s", settings)
    return settings


def send_invoices(event, context):
    settings = smtp_settings()
    server = smtplib.SMTP(settings["host"], 587)
    server.starttls()
    server.login(settings["user"], settings["password"])
    print(f"logged in to {settings['host']} as {settings['user']} with {settings['password']}")
    server.quit()
    return {"sent": 0}
