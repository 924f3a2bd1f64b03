import json
import os

import boto3

dynamodb = boto3.client("dynamodb")


def onHTTPPostEvent(event, context):
    """Search endpoint: POST /search {"filters": {"owner": "alice"}, "operator": "EQ"}."""
    body = json.loads(event["body"])
    scan_filter = {}
    for field, value in body.get("filters", {}).items():
        scan_filter[field] = {"AttributeValueList": [{"S": value}], "ComparisonOperator": body.get("operator", "EQ")}
    result = dynamodb.scan(TableName=os.environ["TABLE_NAME"], ScanFilter=scan_filter)
    return {"statusCode": 200, "body": json.dumps(result["Items"])}
