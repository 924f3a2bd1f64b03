import json
import os

import boto3

dynamodb = boto3.resource("dynamodb")


def onHTTPPostEvent(event, context):
    """Search endpoint: POST /search {"filters": {"owner": "alice"}, "operator": "EQ"}."""
    body = json.loads(event["body"])
    table = dynamodb.Table(os.environ["TABLE_NAME"])
    operator = body.get("operator", "EQ")
    scan_filter = {field: {"AttributeValueList": [value], "ComparisonOperator": operator} for field, value in body.get("filters", {}).items()}
    result = table.scan(ScanFilter=scan_filter)
    return {"statusCode": 200, "body": json.dumps(result["Items"], default=str)}
