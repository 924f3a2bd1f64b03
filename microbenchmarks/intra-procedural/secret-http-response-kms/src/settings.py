import base64
import json
import os

import boto3

kms = boto3.client("kms")


def webhook_secret():
    blob = base64.b64decode(os.environ["ENCRYPTED_WEBHOOK_SECRET"])
    return kms.decrypt(CiphertextBlob=blob)["Plaintext"].decode("utf-8")


def get_settings(event, context):
    partner = event["pathParameters"]["partner"]
    secret = webhook_secret()
    if partner == "internal":
        return {"statusCode": 200, "body": json.dumps({"partner": partner, "signing": "hmac-sha256", "length": len(secret)})}
    settings = {
        "partner": partner,
        "webhook_url": f"https://hooks.example.com/{partner}",
        "signing_secret": secret,
    }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(settings)}
