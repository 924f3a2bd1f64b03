import json
import os
import urllib.request

import boto3

secrets = boto3.client("secretsmanager")


def _signing_key():
    value = secrets.get_secret_value(SecretId=os.environ["SIGNING_SECRET_NAME"])
    return json.loads(value["SecretString"])["key"]


def run(event, context):
    request = urllib.request.Request(
        os.environ["CRM_BASE_URL"] + "/contacts?updated_since=yesterday",
        headers={"Authorization": "Bearer " + os.environ["CRM_API_TOKEN"], "X-Signature-Key-Id": _signing_key()[:8]},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        contacts = json.load(response)
    return {"synced": len(contacts.get("items", []))}
