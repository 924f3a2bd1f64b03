import json
import os

import boto3
from boto3.dynamodb.conditions import Key

table = boto3.resource("dynamodb").Table(os.environ["CUSTOMERS_TABLE"])


def handler(event, context):
    """GET /customers/lookup?field=email&value=jane@example.com, for the support console."""
    params = event.get("queryStringParameters") or {}
    if not params.get("field") or not params.get("value"):
        return {"statusCode": 400, "body": json.dumps({"error": "field and value are required"})}

    condition = Key(params["field"]).eq(params["value"])
    response = table.query(IndexName=f"{params['field']}-index", KeyConditionExpression=condition, Limit=25)

    customers = [{"customerId": c["customerId"], "name": c.get("name"), "email": c.get("email")} for c in response["Items"]]
    return {"statusCode": 200, "body": json.dumps({"count": len(customers), "customers": customers})}
