import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TENANTS_TABLE"])


def handler(event, context):
    print("provisioning into table", os.environ["TENANTS_TABLE"])
    for record in event["Records"]:
        request = json.loads(record["body"])
        tenant = {
            "tenant_id": str(uuid.uuid4()),
            "name": request["name"],
            "admin_user": "admin",
            "admin_password": os.environ["DEFAULT_ADMIN_PASSWORD"],
        }
        table.put_item(Item=tenant)
