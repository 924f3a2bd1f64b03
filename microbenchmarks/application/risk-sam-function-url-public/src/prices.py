import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["PRICES_TABLE"])


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def lookup(event, context):
    params = event.get("queryStringParameters") or {}
    sku = params.get("sku")
    if not sku:
        return {"statusCode": 400, "body": json.dumps({"error": "sku is required"})}
    item = table.get_item(Key={"sku": sku}).get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"error": "unknown sku"})}
    return {
        "statusCode": 200,
        "headers": {"Cache-Control": "max-age=60"},
        "body": json.dumps({k: _plain(v) for k, v in item.items()}),
    }
